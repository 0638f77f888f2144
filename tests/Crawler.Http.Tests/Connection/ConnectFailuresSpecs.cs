using System.Net;
using System.Net.Sockets;
using Crawler.Http.Connection;

namespace Crawler.Http.Tests.Connection;

public sealed class ConnectFailuresSpecs
{
    [Theory]
    [InlineData(SocketError.ConnectionRefused, HttpFailureKind.Refused)]
    [InlineData(SocketError.NetworkUnreachable, HttpFailureKind.Unreachable)]
    [InlineData(SocketError.NetworkDown, HttpFailureKind.Unreachable)]
    [InlineData(SocketError.HostUnreachable, HttpFailureKind.Unreachable)]
    [InlineData(SocketError.HostDown, HttpFailureKind.Unreachable)]
    [InlineData(SocketError.TimedOut, HttpFailureKind.Timeout)]
    [InlineData(SocketError.HostNotFound, HttpFailureKind.Dns)]
    [InlineData(SocketError.TryAgain, HttpFailureKind.Dns)]
    [InlineData(SocketError.ConnectionReset, HttpFailureKind.Reset)]
    public void Socket_errors_should_map_to_their_kind(SocketError error, HttpFailureKind kind)
    {
        var failure = ConnectFailures.Classify(new SocketException((int)error), "planet.test:80",
            new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80), TimeSpan.FromSeconds(10));
        Assert.Equal((kind, kind == HttpFailureKind.Timeout ? HttpTimeoutPhase.Connect : (HttpTimeoutPhase?)null), (failure.Kind, failure.Phase));
        Assert.Contains("planet.test:80 (192.0.2.1:80)", failure.Message, StringComparison.Ordinal); // names the host and its address
    }

    [Fact]
    public void Akkas_generic_connect_failure_should_be_recognised_as_one_that_lost_its_cause()
    {
        Assert.True(ConnectFailures.LostItsCause(new Akka.IO.ConnectException("Could not establish connection because finishConnect never returned true")));
        Assert.False(ConnectFailures.LostItsCause(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.False(ConnectFailures.LostItsCause(new Akka.IO.ConnectException("Connect timeout of 00:00:10 expired")));
    }

    [Fact]
    public async Task Diagnosis_should_name_a_refused_port()
    {
        var port = Crawler.TestKit.Site.LoopbackHttpServer.ClosedPort();
        var diagnosis = await ConnectFailures.DiagnoseAsync(new IPEndPoint(IPAddress.Loopback, port), $"127.0.0.1:{port}", TimeSpan.FromSeconds(5));
        Assert.Equal(HttpFailureKind.Refused, diagnosis.Failure.Kind);
    }
}

using System.Net;
using System.Net.Sockets;

namespace Crawler.Http.Tests.Client;

public sealed class ConnectFailuresSpecs
{
    [Theory]
    [InlineData(SocketError.ConnectionRefused, ErrorKind.Refused)]
    [InlineData(SocketError.NetworkUnreachable, ErrorKind.Unreachable)]
    [InlineData(SocketError.NetworkDown, ErrorKind.Unreachable)]
    [InlineData(SocketError.HostUnreachable, ErrorKind.Unreachable)]
    [InlineData(SocketError.HostDown, ErrorKind.Unreachable)]
    [InlineData(SocketError.TimedOut, ErrorKind.Timeout)]
    [InlineData(SocketError.HostNotFound, ErrorKind.Dns)]
    [InlineData(SocketError.TryAgain, ErrorKind.Dns)]
    [InlineData(SocketError.ConnectionReset, ErrorKind.Reset)]
    public void Socket_errors_should_map_to_their_kind(SocketError error, ErrorKind kind)
    {
        var (actual, message) = ConnectFailures.Classify(new SocketException((int)error), "planet.test:80",
            new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80), TimeSpan.FromSeconds(10));
        Assert.Equal(kind, actual);
        Assert.Contains("planet.test:80 (192.0.2.1:80)", message, StringComparison.Ordinal);
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
        var port = Crawler.Testing.LoopbackHttpServer.ClosedPort();
        var diagnosis = await ConnectFailures.DiagnoseAsync(new IPEndPoint(IPAddress.Loopback, port), $"127.0.0.1:{port}", TimeSpan.FromSeconds(5));
        Assert.Equal(ErrorKind.Refused, diagnosis.Kind);
    }
}

using System.Net;
using System.Net.Sockets;

namespace Crawler.Http.Connection;

/// <summary>Turns the cause of a failed <c>Tcp.Connect</c> into a <see cref="HttpFailure"/> a person understands.</summary>
internal static class ConnectFailures
{
    /// <summary>The outcome of <see cref="DiagnoseAsync"/>, piped to the connection actor.</summary>
    /// <param name="Failure">refused, unreachable, timeout, ..., with what the OS said.</param>
    public sealed record Diagnosis(HttpFailure Failure);

    /// <summary>True for Akka.IO 1.5.74's generic connect failure, which has lost the socket error.</summary>
    public static bool LostItsCause(Exception? cause) =>
        cause is not SocketException && cause?.Message.Contains("finishConnect", StringComparison.Ordinal) == true;

    /// <summary>Connects once with a plain socket to learn the socket error Akka.IO lost. Never throws: the
    /// outcome is always a <see cref="Diagnosis"/>.</summary>
    public static async Task<Diagnosis> DiagnoseAsync(IPEndPoint remote, string origin, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var where = Where(origin, remote);
        using var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(remote, limit.Token).ConfigureAwait(false);
            return new Diagnosis(new HttpFailure(HttpFailureKind.Refused,
                $"connection refused by {where} (a second attempt was accepted: the server may be restarting)"));
        }
        catch (SocketException e)
        {
            return new Diagnosis(FromSocketError(e.SocketErrorCode, where, e.Message));
        }
        catch (OperationCanceledException)
        {
            return new Diagnosis(ConnectTimedOut(where, timeout));
        }
    }

    /// <summary>False when no network interface but loopback is up: a name lookup that failed then failed for want of
    /// a network (the seed's "no network"), which is <c>unreachable</c>, not <c>dns</c>.</summary>
    public static bool HasNetwork()
    {
        try
        {
            return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Any(i =>
                i.OperationalStatus is System.Net.NetworkInformation.OperationalStatus.Up or System.Net.NetworkInformation.OperationalStatus.Unknown
                && i.NetworkInterfaceType != System.Net.NetworkInformation.NetworkInterfaceType.Loopback);
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            return true; // cannot tell: the lookup's own answer stands
        }
    }

    /// <summary>Classifies <paramref name="cause"/> (null when Akka gave none).</summary>
    public static HttpFailure Classify(Exception? cause, string origin, EndPoint? remote, TimeSpan connectTimeout)
    {
        var where = Where(origin, remote);
        switch (cause)
        {
            case SocketException socket:
                return FromSocketError(socket.SocketErrorCode, where, socket.Message);
            case { Message: var text } when text.Contains("timeout", StringComparison.OrdinalIgnoreCase):
                return ConnectTimedOut(where, connectTimeout);
            case { Message: var text } when text.Contains("finishConnect", StringComparison.Ordinal):
                // Akka.IO 1.5.74 retries a refused connect and then loses the socket error; a refusal is by far the
                // most common cause on a reachable host (see notes/akka-io-1.5.74.md).
                return new HttpFailure(HttpFailureKind.Refused, $"connection refused by {where}: nothing is listening there");
            default:
                return new HttpFailure(HttpFailureKind.Refused, $"could not connect to {where}: {cause?.Message ?? "no reason given"}");
        }
    }

    /// <summary>Maps a socket error to a failure: refused, unreachable (no network, no route), timeout or dns.</summary>
    public static HttpFailure FromSocketError(SocketError error, string where, string detail) => error switch
    {
        SocketError.ConnectionRefused => new(HttpFailureKind.Refused, $"connection refused by {where}: nothing is listening there"),
        SocketError.NetworkUnreachable or SocketError.NetworkDown =>
            new(HttpFailureKind.Unreachable, $"network unreachable: no network to reach {where} ({detail})"),
        SocketError.HostUnreachable or SocketError.HostDown => new(HttpFailureKind.Unreachable, $"no route to {where} ({detail})"),
        SocketError.TimedOut => HttpFailure.Timeout(HttpTimeoutPhase.Connect,
            $"timeout: {where} did not answer the connection request (connect phase)"),
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain or SocketError.NoRecovery =>
            new(HttpFailureKind.Dns, $"could not resolve {where}: {detail}"),
        SocketError.ConnectionReset or SocketError.ConnectionAborted => new(HttpFailureKind.Reset, $"{where} reset the connection ({detail})"),
        _ => new(HttpFailureKind.Refused, $"could not connect to {where}: {detail}"),
    };

    private static HttpFailure ConnectTimedOut(string where, TimeSpan limit) =>
        HttpFailure.Timeout(HttpTimeoutPhase.Connect, $"timeout: could not connect to {where} within {limit.TotalSeconds:0.###} s (connect phase)");

    private static string Where(string origin, EndPoint? remote)
    {
        var address = remote is null ? null : Display(remote);
        return address is null || address == origin ? origin : $"{origin} ({address})";
    }

    private static string Display(EndPoint remote) =>
        remote is IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port).ToString() : remote.ToString()!;
}

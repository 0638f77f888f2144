using System.Net;
using System.Net.Sockets;

namespace Crawler.Http;

/// <summary>Turns the cause of a failed <c>Tcp.Connect</c> into an error kind and a message a person understands.</summary>
public static class ConnectFailures
{
    /// <summary>Classifies <paramref name="cause"/> (null when Akka gave none).</summary>
    public static (ErrorKind Kind, string Message) Classify(Exception? cause, string origin, EndPoint? remote, TimeSpan connectTimeout)
    {
        var address = remote is null ? null : Display(remote);
        var where = address is null || address == origin ? origin : $"{origin} ({address})";
        switch (cause)
        {
            case SocketException socket:
                return FromSocketError(socket.SocketErrorCode, where, socket.Message);
            case { Message: var text } when text.Contains("timeout", StringComparison.OrdinalIgnoreCase):
                return (ErrorKind.Timeout, $"timeout: could not connect to {where} within {connectTimeout.TotalSeconds:0.###} s (connect phase)");
            case { Message: var text } when text.Contains("finishConnect", StringComparison.Ordinal):
                // Akka.IO 1.5.74 retries a refused connect and then loses the socket error; a refusal is by far the
                // most common cause on a reachable host (see notes/akka-io-1.5.74.md).
                return (ErrorKind.Refused, $"connection refused by {where}: nothing is listening there");
            default:
                return (ErrorKind.Refused, $"could not connect to {where}: {cause?.Message ?? "no reason given"}");
        }
    }

    /// <summary>Maps a socket error to a kind: refused, unreachable (no network, no route), timeout or dns.</summary>
    public static (ErrorKind Kind, string Message) FromSocketError(SocketError error, string where, string detail) => error switch
    {
        SocketError.ConnectionRefused => (ErrorKind.Refused, $"connection refused by {where}: nothing is listening there"),
        SocketError.NetworkUnreachable or SocketError.NetworkDown =>
            (ErrorKind.Unreachable, $"network unreachable: no network to reach {where} ({detail})"),
        SocketError.HostUnreachable or SocketError.HostDown =>
            (ErrorKind.Unreachable, $"no route to {where} ({detail})"),
        SocketError.TimedOut => (ErrorKind.Timeout, $"timeout: {where} did not answer the connection request (connect phase)"),
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain or SocketError.NoRecovery =>
            (ErrorKind.Dns, $"could not resolve {where}: {detail}"),
        SocketError.ConnectionReset or SocketError.ConnectionAborted => (ErrorKind.Reset, $"{where} reset the connection ({detail})"),
        _ => (ErrorKind.Refused, $"could not connect to {where}: {detail}"),
    };

    private static string Display(EndPoint remote) =>
        remote is IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port).ToString() : remote.ToString()!;
}

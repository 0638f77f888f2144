using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.IO;

namespace Crawler.Http.Connection;

/// <summary>
/// A socket option given with each <c>Tcp.Connect</c> that checks the socket as Akka.IO completes the connect. A peer
/// that accepts and resets at once leaves a socket that is no longer connected: Akka.IO 1.5.74 then throws in
/// <c>TcpConnection.CompleteConnect</c> (reading the remote address: <c>SocketException (107)</c>), its connection
/// actor dies, and the connecting actor would hear nothing until its connect timeout. This option tells the
/// connecting actor first (<see cref="Broken"/>), so the attempt ends at once as <c>reset</c>.
/// </summary>
internal sealed class ConnectWatch : Inet.SocketOption
{
    private readonly IActorRef _owner;
    private readonly long _attempt;

    public ConnectWatch(IActorRef owner, long attempt)
    {
        _owner = owner;
        _attempt = attempt;
    }

    /// <inheritdoc />
    public override void AfterConnect(Socket s)
    {
        ArgumentNullException.ThrowIfNull(s);
        try
        {
            _ = s.RemoteEndPoint;
        }
        catch (SocketException e)
        {
            _owner.Tell(new Broken(_attempt, e.Message));
        }
        catch (ObjectDisposedException)
        {
            _owner.Tell(new Broken(_attempt, "the socket was closed"));
        }
    }

    /// <summary>The connect of attempt <paramref name="Attempt"/> completed on a socket the peer had already reset.</summary>
    internal sealed record Broken(long Attempt, string Reason) : IDeadLetterSuppression;
}

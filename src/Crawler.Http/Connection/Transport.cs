using Akka.Actor;
using Akka.IO;
using Crawler.Http.Configuration;

namespace Crawler.Http.Connection;

/// <summary>
/// The seam between a connection actor and its socket: plain TCP (<see cref="PlainTransport"/>) or TLS over it
/// (<see cref="TlsTransport"/>). The actor hands over what Akka.IO delivers and gets plaintext back, now or later as
/// <see cref="TlsSession.Decrypted"/> messages; it writes plaintext and closes through it.
/// </summary>
internal abstract class Transport(IActorRef tcp) : IDisposable
{
    /// <summary>The Akka.IO connection actor of the socket.</summary>
    public IActorRef Tcp { get; } = tcp;

    /// <summary>Sends request bytes (ours alone: nobody else holds the array).</summary>
    public abstract void Write(byte[] bytes, IActorRef self);

    /// <summary>The plaintext of bytes that arrived, or null when it comes later as <see cref="TlsSession.Decrypted"/>.</summary>
    public abstract ByteString? Received(ByteString data);

    /// <summary>The peer closed the socket: true when the plaintext ended now, false when it ends later with
    /// <see cref="TlsSession.Ended"/> (after what is still to be decrypted).</summary>
    public abstract bool PeerClosed();

    /// <summary>True for a message of this transport's own TLS session, or of no session at all.</summary>
    public abstract bool IsOwn(TlsSession.IEvent message);

    /// <summary>Done with the socket: closes it with <paramref name="command"/>, or only lets it go when it is already
    /// closed (null).</summary>
    public virtual void Close(Tcp.CloseCommand? command)
    {
        if (command is not null)
        {
            Tcp.Tell(command);
        }
    }

    /// <summary>Frees what the transport holds beyond the socket (a TLS session).</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>Plain TCP: bytes are the plaintext.</summary>
internal sealed class PlainTransport(IActorRef tcp) : Transport(tcp)
{
    public override void Write(byte[] bytes, IActorRef self) => Tcp.Tell(Akka.IO.Tcp.Write.Create(ByteString.FromBytes(bytes)));

    public override ByteString? Received(ByteString data) => data;

    public override bool PeerClosed() => true;

    public override bool IsOwn(TlsSession.IEvent message) => false;
}

/// <summary>TLS over the socket: a <see cref="TlsSession"/> (an SslStream bridged to the Akka.IO connection).</summary>
internal sealed class TlsTransport(IActorRef tcp, long id) : Transport(tcp)
{
    private readonly TlsSession _session = new(tcp, id);

    /// <summary>Runs the handshake; <see cref="TlsSession.Handshaken"/> or <see cref="TlsSession.Failed"/> is piped to
    /// <paramref name="self"/>.</summary>
    public void Handshake(string host, TlsSettings settings, TimeSpan timeout, IActorRef self) =>
        _session.AuthenticateAsync(host, settings, timeout).PipeTo(self);

    /// <summary>After the handshake: plaintext flows to <paramref name="self"/> as <see cref="TlsSession.Decrypted"/>.</summary>
    public void StartReading(IActorRef self) => _ = _session.ReadLoopAsync(self);

    public override void Write(byte[] bytes, IActorRef self) => _session.WriteAsync(bytes).PipeTo(self);

    public override ByteString? Received(ByteString data)
    {
        _session.Feed(data);
        return null;
    }

    public override bool PeerClosed()
    {
        _session.EndOfStream(); // the read loop drains what is left, then reports the end
        return false;
    }

    public override bool IsOwn(TlsSession.IEvent message) => message.Session == _session.Id;

    public override void Close(Tcp.CloseCommand? command)
    {
        // TLS can end while TCP stays open (close_notify, or a failed read): TCP is closed too.
        base.Close(command ?? Akka.IO.Tcp.Close.Instance);
        Dispose();
    }

    public override void Dispose()
    {
        _session.Dispose();
        base.Dispose();
    }
}

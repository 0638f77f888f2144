using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Crawler.Http.Configuration;

namespace Crawler.Http.Connection;

/// <summary>
/// TLS for one Akka.IO connection: an <see cref="SslStream"/> over a <see cref="Stream"/> bridged to the connection
/// actor (Akka.IO 1.5.74 has no TLS of its own). Ciphertext that arrives as <c>Tcp.Received</c> is fed in with
/// <see cref="Feed"/>; ciphertext that <see cref="SslStream"/> writes goes out as <c>Tcp.Write</c>; plaintext comes back
/// to the owning actor as messages from <see cref="ReadLoopAsync"/>. The owner never blocks: the handshake, writes
/// and reads are tasks whose outcomes are piped back as messages.
/// </summary>
internal sealed class TlsSession : IDisposable
{
    private readonly Channel<byte[]> _inbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SslStream _ssl;
    private string? _validationProblem;

    public TlsSession(IActorRef connection, long id)
    {
        Id = id;
        _ssl = new SslStream(new BridgeStream(_inbound.Reader, connection), leaveInnerStreamOpen: false);
    }

    /// <summary>Tells this session's messages from those of an earlier one on the same actor.</summary>
    public long Id { get; }

    /// <summary>Ciphertext received from the peer.</summary>
    public void Feed(ByteString data) => _inbound.Writer.TryWrite(data.ToArray());

    /// <summary>The peer closed the TCP connection (or it failed).</summary>
    public void EndOfStream() => _inbound.Writer.TryComplete();

    /// <summary>Runs the handshake; the outcome (piped to the owner) is a <see cref="Handshaken"/> or <see cref="Failed"/>.</summary>
    public async Task<object> AuthenticateAsync(string host, TlsSettings settings, TimeSpan timeout)
    {
        var options = new SslClientAuthenticationOptions
        {
            // SNI carries the host name; an IP literal is not sent as SNI by SslStream.
            TargetHost = host,
            EnabledSslProtocols = SslProtocols.None, // the operating system's choice: TLS 1.2 and 1.3
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(host, certificate, chain, errors, settings),
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _ssl.AuthenticateAsClientAsync(options, limit.Token).ConfigureAwait(false);
            return new Handshaken(Id, $"{_ssl.SslProtocol} {_ssl.NegotiatedCipherSuite}");
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            var reason = e is OperationCanceledException ? "the TLS handshake did not finish in time"
                : _validationProblem ?? e.InnerException?.Message ?? e.Message;
            return new Failed(Id, reason, e is OperationCanceledException);
        }
    }

    /// <summary>Encrypts and sends <paramref name="data"/>; the outcome is a <see cref="Written"/> or a <see cref="Failed"/>.</summary>
    public async Task<object> WriteAsync(byte[] data)
    {
        try
        {
            await _ssl.WriteAsync(data).ConfigureAwait(false);
            await _ssl.FlushAsync().ConfigureAwait(false);
            return new Written(Id);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            return new Failed(Id, e.Message, false);
        }
    }

    /// <summary>Reads plaintext until the end and tells <paramref name="owner"/> each piece (<see cref="Decrypted"/>), then
    /// the end (<see cref="Ended"/>) or the failure (<see cref="Failed"/>).</summary>
    public async Task ReadLoopAsync(IActorRef owner)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await _ssl.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                owner.Tell(new Decrypted(Id, ByteString.CopyFrom(buffer, 0, read)));
            }

            owner.Tell(new Ended(Id));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or NotSupportedException or AuthenticationException)
        {
            owner.Tell(new Failed(Id, e.Message, false));
        }
    }

    public void Dispose()
    {
        _inbound.Writer.TryComplete();
        _ssl.Dispose();
    }

    private bool Validate(string host, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, TlsSettings settings)
    {
        if (errors == SslPolicyErrors.None || settings.Insecure)
        {
            return true;
        }

        if (errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is not null && settings.TrustedCertificates.Count > 0)
        {
            // Trust the configured certificates for this crawler only: rebuild the chain against them alone.
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            custom.ChainPolicy.CustomTrustStore.AddRange(settings.Certificates());
            if (chain is not null)
            {
                // The intermediates the server sent (SslStream keeps them in the extra store of the chain it built),
                // and what that chain found: without them a root-only trust ends in PartialChain.
                custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            if (custom.Build(new X509Certificate2(certificate)))
            {
                return true;
            }
        }

        var statuses = chain?.ChainStatus.Select(s => s.Status.ToString()).Distinct().ToList() ?? [];
        _validationProblem = errors switch
        {
            _ when errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) =>
                $"the certificate of {host} is not valid for that name ({certificate?.Subject})",
            _ when errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) => $"{host} sent no certificate",
            _ => $"the certificate of {host} is not trusted ({string.Join(", ", statuses.DefaultIfEmpty("chain errors"))}; " +
                 "trust it with crawler.http.tls.trusted-certificates, or skip validation with --insecure)",
        };
        return false;
    }

    /// <summary>A message of one session, told apart from those of an earlier session on the same actor by its id. The
    /// session's tasks may end after its actor stopped (an aborted handshake fails when the socket closes): such a
    /// late event is routine, not a dead letter.</summary>
    internal interface IEvent : IDeadLetterSuppression
    {
        long Session { get; }
    }

    /// <summary>The handshake finished.</summary>
    internal sealed record Handshaken(long Session, string Description) : IEvent;

    /// <summary>Plaintext from the peer.</summary>
    internal sealed record Decrypted(long Session, ByteString Data) : IEvent, INoSerializationVerificationNeeded;

    /// <summary>A request was encrypted and handed to the connection.</summary>
    internal sealed record Written(long Session) : IEvent;

    /// <summary>The peer closed the TLS stream.</summary>
    internal sealed record Ended(long Session) : IEvent;

    /// <summary>The handshake, a write or a read failed.</summary>
    internal sealed record Failed(long Session, string Reason, bool TimedOut) : IEvent;

    /// <summary>The stream <see cref="SslStream"/> reads and writes: reads come from the received ciphertext, writes
    /// go to the TCP connection actor.</summary>
    private sealed class BridgeStream(ChannelReader<byte[]> inbound, IActorRef connection) : Stream
    {
        private ReadOnlyMemory<byte> _pending;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_pending.IsEmpty)
            {
                if (!await inbound.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return 0;
                }

                if (inbound.TryRead(out var next))
                {
                    _pending = next;
                }
            }

            var count = Math.Min(buffer.Length, _pending.Length);
            _pending[..count].CopyTo(buffer);
            _pending = _pending[count..];
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            connection.Tell(Tcp.Write.Create(ByteString.CopyFrom(buffer.ToArray())));
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

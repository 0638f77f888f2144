using System.Net.Http;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Fetching;
using Crawler.Http;
using Crawler.Http.Configuration;
using Crawler.Http.Decoding;
using Crawler.Http.Connection;
using Crawler.Http.Pool;

namespace Crawler;

/// <summary><c>crawler get [-i] [-I] [-L] [-o FILE] [--max-filesize SIZE] URL</c>: one request through our client (like
/// curl): the body is written as it arrives, after de-chunking and decoding, to stdout or <c>-o FILE</c>, with memory
/// flat whatever its size (the connection streams it in parts and stops reading the socket while the output is
/// behind). Exit 0 when the whole response arrived, whatever its status; 1 with <c>KIND: message</c> on stderr when
/// not (what arrived before a cut was written).</summary>
internal static class GetCommand
{
    public static async Task<int> RunAsync(ActorSystem system, CommandLine line, CrawlerSettings settings, Stream stdout, TextWriter stderr)
    {
        Stream output;
        try
        {
            output = line.OutputFile is { } path ? new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true) : stdout;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            await stderr.WriteLineAsync($"crawler: cannot write -o '{line.OutputFile}': {e.Message}").ConfigureAwait(false);
            return CrawlerApp.ExitUsage;
        }

        try
        {
            return await FetchAsync(system, line, settings, output, stderr).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // The body could not be written (a full disk, a closed descriptor); a reader that went away (EPIPE) is
            // told nothing, as Unix tools do.
            if (!GuardedWriter.IsClosedPipe(e))
            {
                await stderr.WriteLineAsync($"crawler: cannot write the body: {e.Message}").ConfigureAwait(false);
            }

            return CrawlerApp.ExitFailures;
        }
        finally
        {
            if (line.OutputFile is not null)
            {
                await output.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<int> FetchAsync(ActorSystem system, CommandLine line, CrawlerSettings settings, Stream output, TextWriter stderr)
    {
        var method = line.HeadOnly ? HttpMethod.Head : HttpMethod.Get;
        // No cap on the body: it is never held (--max-filesize counts what is written).
        var http = settings.Http with { Limits = settings.Http.Limits with { MaxBodyBytes = long.MaxValue } };
        var connections = new Dictionary<string, IActorRef>(StringComparer.OrdinalIgnoreCase);
        var inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
        var receiver = system.ActorOf(Props.Create(() => new Forwarder(inbox.Writer)));
        var chain = new List<Uri>();
        var text = line.Urls[0];
        for (var request = 1L; ; request++)
        {
            if (!UrlPolicy.Check(text, out var url, out var refused))
            {
                return await FailAsync(stderr, refused!).ConfigureAwait(false);
            }

            chain.Add(url!);
            var origin = Origins.Of(url!);
            if (!connections.TryGetValue(origin, out var connection))
            {
                connection = system.ActorOf(HttpClientConnection.PropsFor(url!, http));
                connections[origin] = connection;
            }

            var send = new Http.Http.Send(request, url!, method);
            connection.Tell(new Streaming.Get(send), receiver);

            // The client answers within its own timeouts; these bounds only guard the host itself.
            var reply = await NextAsync(inbox.Reader, http.RequestTimeout + http.ConnectTimeout, send).ConfigureAwait(false);
            if (reply is Http.Http.RequestFailed failed)
            {
                return await FailAsync(stderr, Core.Failure.From(failed.Failure, url!)).ConfigureAwait(false);
            }

            var head = ((Streaming.Started)reply).Head;
            if (line.IncludeHead || line.HeadOnly)
            {
                await output.WriteAsync(Head(head)).ConfigureAwait(false);
            }

            if (line.FollowRedirects && RedirectPolicy.IsRedirect(head.StatusCode) && head.Header("Location") is { } location)
            {
                if (!RedirectPolicy.TryFollow(chain, location, head.StatusCode, http.MaxRedirects, out var next, out var stop))
                {
                    return await FailAsync(stderr, stop!).ConfigureAwait(false);
                }

                // The redirect's own body is read and dropped, so that the connection can carry the next request.
                var drained = await CopyBodyAsync(inbox.Reader, connection, receiver, send, head, Stream.Null, null, http).ConfigureAwait(false);
                if (drained is not null)
                {
                    return await FailAsync(stderr, Core.Failure.From(drained, url!)).ConfigureAwait(false);
                }

                text = next!.ToString();
                continue;
            }

            var failure = await CopyBodyAsync(inbox.Reader, connection, receiver, send, head, output, line.MaxFileSize, http).ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
            return failure is null ? CrawlerApp.ExitOk : await FailAsync(stderr, Core.Failure.From(failure, url!)).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the body's parts as they come, acknowledging each once it is in the pipe, while a second task
    /// decodes the pipe into <paramref name="output"/>: the pipe's threshold, the acknowledgements and the connection's
    /// window hold memory flat. Returns the failure that cut the body short (null when it arrived whole); a failed
    /// write to <paramref name="output"/> throws.</summary>
    private static async Task<HttpFailure?> CopyBodyAsync(ChannelReader<object> inbox, IActorRef connection, IActorRef receiver,
        Http.Http.Send send, Http.Http.ResponseReceived head, Stream output, long? maxFileSize, HttpClientSettings http)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        var decoded = ContentDecoding.OpenStream(pipe.Reader.AsStream(), AllValues(head, "Transfer-Encoding"), AllValues(head, "Content-Encoding"),
            out var refused);
        if (decoded is null)
        {
            connection.Tell(Http.Http.Shutdown.Instance);
            return refused;
        }

        var writing = Task.Run(() => WriteDecodedAsync(decoded, output, maxFileSize));
        HttpFailure? cut = null;
        while (cut is null)
        {
            var message = await NextAsync(inbox, http.ReadIdleTimeout, send).ConfigureAwait(false);
            if (message is Streaming.Part part)
            {
                var flushed = await pipe.Writer.WriteAsync(part.Bytes).ConfigureAwait(false);
                connection.Tell(new Streaming.Ack(send.RequestId), receiver);
                if (flushed.IsCompleted)
                {
                    break; // the writer stopped reading: its failure is the outcome
                }
            }
            else if (message is Streaming.Ended)
            {
                break;
            }
            else if (message is Http.Http.RequestFailed failed)
            {
                cut = failed.Failure;
            }
        }

        await pipe.Writer.CompleteAsync().ConfigureAwait(false);
        var written = await writing.ConfigureAwait(false);
        return written ?? cut;
    }

    /// <summary>Decodes the pipe into the output; a body that will not decode, or one beyond --max-filesize, is a
    /// failure (after what came before it was written).</summary>
    private static async Task<HttpFailure?> WriteDecodedAsync(Stream decoded, Stream output, long? maxFileSize)
    {
        await using var _ = decoded.ConfigureAwait(false);
        var buffer = new byte[64 * 1024];
        long total = 0;
        try
        {
            int read;
            while ((read = await decoded.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                if (total + read > maxFileSize)
                {
                    await output.WriteAsync(buffer.AsMemory(0, (int)(maxFileSize.Value - total))).ConfigureAwait(false);
                    return new HttpFailure(HttpFailureKind.TooLarge, $"the body is larger than --max-filesize ({maxFileSize} bytes)");
                }

                total += read;
                await output.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
            }

            return null;
        }
        catch (InvalidDataException e)
        {
            return new HttpFailure(HttpFailureKind.Protocol, $"the body could not be decoded ({e.Message})");
        }
    }

    /// <summary>The connection's next message for <paramref name="send"/>; a timeout failure when none came within
    /// <paramref name="within"/> and a margin (the client's own timers should always answer first).</summary>
    private static async Task<object> NextAsync(ChannelReader<object> inbox, TimeSpan within, Http.Http.Send send)
    {
        using var timeout = new CancellationTokenSource(within + TimeSpan.FromSeconds(5));
        try
        {
            return await inbox.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return send.TimedOut(HttpTimeoutPhase.Request, $"no answer from the connection to {send.Url} within {within + TimeSpan.FromSeconds(5)}");
        }
    }

    private static string? AllValues(Http.Http.ResponseReceived response, string name)
    {
        var values = response.Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(", ", values);
    }

    /// <summary>Hands what the connection sends to the command's loop.</summary>
    private sealed class Forwarder(ChannelWriter<object> inbox) : UntypedActor
    {
        protected override void OnReceive(object message) => inbox.TryWrite(message);
    }

    private static byte[] Head(Http.Http.ResponseReceived response)
    {
        var version = response.Version switch
        {
            Http.Parsing.HttpVersion.Http10 => "HTTP/1.0",
            Http.Parsing.HttpVersion.Http09 => "HTTP/0.9",
            _ => "HTTP/1.1",
        };
        var head = new StringBuilder($"{version} {response.StatusCode}");
        if (response.ReasonPhrase.Length > 0)
        {
            head.Append(' ').Append(response.ReasonPhrase);
        }

        head.Append("\r\n");
        foreach (var (name, value) in response.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(head.Append("\r\n").ToString());
    }

    private static async Task<int> FailAsync(TextWriter stderr, Core.Failure failure)
    {
        await stderr.WriteLineAsync($"{failure.Kind.Name()}: {failure.Message}").ConfigureAwait(false);
        return CrawlerApp.ExitFailures;
    }
}

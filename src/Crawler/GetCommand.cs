using System.Net.Http;
using System.Text;
using Akka.Actor;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Fetching;
using Crawler.Http;
using Crawler.Http.Connection;
using Crawler.Http.Pool;

namespace Crawler;

/// <summary><c>crawler get [-i] [-I] [-L] URL</c>: one request through our client (like curl): the body to stdout as
/// received after de-chunking and content decoding; exit 0 when a complete response arrived, whatever its status,
/// and 1 with <c>KIND: message</c> on stderr when not.</summary>
internal static class GetCommand
{
    public static async Task<int> RunAsync(ActorSystem system, CommandLine line, CrawlerSettings settings, Stream stdout, TextWriter stderr)
    {
        try
        {
            return await FetchAsync(system, line, settings, stdout, stderr).ConfigureAwait(false);
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
    }

    private static async Task<int> FetchAsync(ActorSystem system, CommandLine line, CrawlerSettings settings, Stream stdout, TextWriter stderr)
    {
        var method = line.HeadOnly ? HttpMethod.Head : HttpMethod.Get;
        var connections = new Dictionary<string, IActorRef>(StringComparer.OrdinalIgnoreCase);
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
                connection = system.ActorOf(HttpClientConnection.PropsFor(url!, settings.Http));
                connections[origin] = connection;
            }

            // The client answers every request within its own timeouts; this bound only guards the host itself.
            var reply = await connection.Ask<object>(new Http.Http.Send(request, url!, method),
                settings.Http.RequestTimeout + settings.Http.ConnectTimeout + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            if (reply is Http.Http.RequestFailed failed)
            {
                return await FailAsync(stderr, Core.Failure.From(failed.Failure, url!)).ConfigureAwait(false);
            }

            var response = (Http.Http.ResponseReceived)reply;
            if (line.IncludeHead || line.HeadOnly)
            {
                await stdout.WriteAsync(Head(response)).ConfigureAwait(false);
            }

            if (line.FollowRedirects && RedirectPolicy.IsRedirect(response.StatusCode) && response.Header("Location") is { } location)
            {
                if (!RedirectPolicy.TryFollow(chain, location, response.StatusCode, settings.Http.MaxRedirects, out var next, out var stop))
                {
                    return await FailAsync(stderr, stop!).ConfigureAwait(false);
                }

                text = next!.ToString();
                continue;
            }

            await stdout.WriteAsync(response.Body).ConfigureAwait(false);
            await stdout.FlushAsync().ConfigureAwait(false);
            return CrawlerApp.ExitOk;
        }
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

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crawler.SampleSite;

/// <summary>
/// A local "planet farm" served by Kestrel on 127.0.0.1: <c>/planet/{n}</c> is a blog aggregator page whose first
/// <c>&lt;h3&gt;&lt;a href&gt;</c> links to <c>/article/{n}/1</c> (root-relative, path-relative or absolute, in turn),
/// <c>/article/{n}/{k}</c> is an article titled <c>Article {k} of planet {n}</c>, and <c>/</c> is an index titled
/// <c>Planet farm</c>. Every response waits <see cref="PlanetFarmOptions.Delay"/> first. Planets can be given faults
/// (<see cref="PlanetFault"/>) for fault-injection scenarios and load tests.
/// </summary>
public sealed class PlanetFarm : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte> _connections = new();
    private readonly ConcurrentDictionary<string, int[]> _concurrency = new(); // per host address: [now, peak]
    private readonly ConcurrentDictionary<int, byte> _unavailableOnce = new();

    // One shared 9 MB page (just over the crawler's default max-body-bytes of 8m), made once: a crawler that reads
    // the Content-Length never asks for the rest.
    private static readonly byte[] TooLargePage = System.Text.Encoding.ASCII.GetBytes(
        "<!DOCTYPE html><html><head><title>Too large</title></head><body>" + new string('x', 9 * 1024 * 1024) + "</body></html>");
    private long _requests;

    private PlanetFarm(WebApplication app, PlanetFarmOptions options)
    {
        _app = app;
        Options = options;
    }

    /// <summary>The farm's shape.</summary>
    public PlanetFarmOptions Options { get; }

    /// <summary>The root URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The planet URLs, in order.</summary>
    public IReadOnlyList<string> PlanetUrls =>
        [.. Enumerable.Range(0, Options.Planets).Select(n => $"http://{Options.HostOf(n)}:{BaseUri.Port}/planet/{n}")];

    /// <summary>Requests served so far.</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>Distinct connections that carried a request so far.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>The most requests one host address (127.0.0.N) served at once so far, by address: what a per-host
    /// connection cap, held across a cluster, bounds.</summary>
    public IReadOnlyDictionary<string, int> PeakConcurrencyByHost =>
        _concurrency.ToDictionary(entry => entry.Key, entry => Volatile.Read(ref entry.Value[1]));

    /// <summary>Starts the farm and returns once it listens.</summary>
    public static async Task<PlanetFarm> StartAsync(PlanetFarmOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The farm lives inside another program (the demo, tests, benchmarks): it must not take over the process's
        // SIGINT/SIGTERM/SIGQUIT as the console lifetime does (the demo could not be stopped), so it has none.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        // Kestrel's default accept backlog (512) overflows when a crawl opens a thousand connections at once, and
        // each dropped SYN costs the client a one-second retransmit.
        builder.WebHost.UseSockets(sockets => sockets.Backlog = 8192);
        // Several hosts share one port, so a port of 0 is chosen here, once, for all of them.
        var port = options.Hosts > 1 && options.Port == 0 ? FreePort() : options.Port;
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            for (var host = 1; host <= Math.Clamp(options.Hosts, 1, 250); host++)
            {
                k.Listen(new IPAddress([127, 0, 0, (byte)host]), port);
            }
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MaxConcurrentUpgradedConnections = null;
        });
        var app = builder.Build();
        var farm = new PlanetFarm(app, options);
        farm.Map();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        farm.BaseUri = new Uri(app.Urls.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return farm;
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Stops the farm at once: requests still open are aborted (their connections closed), not waited for, so a
    /// crawler waiting on them sees the connection end whether the farm or the crawler's ActorSystem is disposed first.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private void Map()
    {
        _app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref _requests);
            _connections.TryAdd(context.Connection.Id, 0);
            var host = _concurrency.GetOrAdd(context.Connection.LocalIpAddress?.ToString() ?? "?", _ => new int[2]);
            var now = Interlocked.Increment(ref host[0]);
            for (var peak = Volatile.Read(ref host[1]); now > peak; peak = Volatile.Read(ref host[1]))
            {
                Interlocked.CompareExchange(ref host[1], now, peak);
            }

            try
            {
                if (Options.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Options.Delay, context.RequestAborted).ConfigureAwait(false);
                }

                await next(context).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref host[0]);
            }
        });
        _app.MapGet("/", () => Html(Page("Planet farm",
            string.Concat(Enumerable.Range(0, Options.Planets).Select(n => $"<h3><a href=\"/planet/{n}\">Planet {n}</a></h3>")))));
        _app.MapGet("/planet/{n:int}", (int n, HttpContext context) => Planet(n, context));
        _app.MapGet("/moved/{n:int}", (int n, HttpContext context) => n >= 0 && n < Options.Planets
            ? Html(Page($"Planet {n}", PlanetBody(n, context)))
            : Results.NotFound());
        _app.MapGet("/loop/{n:int}", (int n) => Results.Redirect($"/planet/{n}"));
        _app.MapGet("/back/{n:int}", (int n) => Results.Redirect($"http://{Options.HostOf(n)}:{BaseUri.Port}/planet/{n}"));
        _app.MapGet("/article/{n:int}/{k:int}", (int n, int k) => n < 0 || n >= Options.Planets ? Results.NotFound()
            : Options.FaultOf(n) switch
            {
                PlanetFault.NoTitle => Html("<!DOCTYPE html>\n<html><head></head><body><p>An article without a title.</p></body></html>\n"),
                PlanetFault.ArticleNotFound => Results.NotFound(),
                _ => Html(Page(string.Create(CultureInfo.InvariantCulture, $"Article {k} of planet {n}"), $"<p>Article {k} of planet {n}.</p>")),
            });
    }

    private async Task<IResult> Planet(int n, HttpContext context)
    {
        if (n < 0 || n >= Options.Planets)
        {
            return Results.NotFound();
        }

        switch (Options.FaultOf(n))
        {
            case PlanetFault.NotFound:
                return Results.NotFound();
            case PlanetFault.NoArticle:
                return Html(Page($"Planet {n}", "<h1>Nothing posted yet</h1><p>Come back later.</p>"));
            case PlanetFault.Unavailable:
                context.Response.Headers.RetryAfter = "0";
                return Results.StatusCode(503);
            case PlanetFault.UnavailableOnce when _unavailableOnce.TryAdd(n, 0):
                context.Response.Headers.RetryAfter = "0";
                return Results.StatusCode(503);
            case PlanetFault.Redirect:
                return Results.Redirect($"/moved/{n}", permanent: true);
            case PlanetFault.RedirectLoop:
                return Results.Redirect($"/loop/{n}");
            case PlanetFault.RedirectToOtherHost:
                return Results.Redirect($"http://{Options.HostOf(n + 1)}:{BaseUri.Port}/moved/{n}", permanent: true);
            case PlanetFault.RedirectLoopAcrossHosts:
                return Results.Redirect($"http://{Options.HostOf(n + 1)}:{BaseUri.Port}/back/{n}");
            case PlanetFault.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
                return Results.Empty;
            case PlanetFault.StallBody:
                context.Response.ContentType = "text/html; charset=utf-8";
                context.Response.ContentLength = 10_000;
                await context.Response.WriteAsync("<!DOCTYPE html><html><head>", context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
                return Results.Empty;
            case PlanetFault.Reset:
                if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
                {
                    socket.LingerState = new LingerOption(true, 0);
                }

                context.Abort();
                return Results.Empty;
            case PlanetFault.TooLarge:
                return Results.Bytes(TooLargePage, "text/html; charset=utf-8");
            default:
                var page = Page($"Planet {n}", PlanetBody(n, context));
                if (Options.PageBytes <= page.Length && Options.Drip <= TimeSpan.Zero)
                {
                    return Html(page);
                }

                await Send(context, Padded(page, Options.PageBytes)).ConfigureAwait(false);
                return Results.Empty;
        }
    }

    /// <summary>The page padded with paragraphs before its end up to <paramref name="size"/> bytes (UTF-8).</summary>
    private static byte[] Padded(string page, int size)
    {
        var bytes = Encoding.UTF8.GetBytes(page);
        var missing = size - bytes.Length;
        if (missing <= 0)
        {
            return bytes;
        }

        const string Paragraph = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.</p>\n";
        var end = page.LastIndexOf("</body>", StringComparison.Ordinal);
        var filler = new StringBuilder(missing + Paragraph.Length);
        while (filler.Length < missing)
        {
            filler.Append(Paragraph);
        }

        filler.Length = missing;
        return Encoding.UTF8.GetBytes(page[..end] + filler + page[end..]);
    }

    /// <summary>Sends a page with its length, in <see cref="PlanetFarmOptions.DripPieces"/> pieces spread over
    /// <see cref="PlanetFarmOptions.Drip"/>.</summary>
    private async Task Send(HttpContext context, byte[] page)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength = page.Length;
        var pieces = Options.Drip > TimeSpan.Zero ? Math.Max(1, Options.DripPieces) : 1;
        var gap = pieces > 1 ? Options.Drip / (pieces - 1) : TimeSpan.Zero;
        var size = (page.Length + pieces - 1) / pieces;
        for (var i = 0; i < pieces && i * size < page.Length; i++)
        {
            if (i > 0)
            {
                await Task.Delay(gap, context.RequestAborted).ConfigureAwait(false);
            }

            await context.Response.Body.WriteAsync(page.AsMemory(i * size, Math.Min(size, page.Length - (i * size))), context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static string PlanetBody(int n, HttpContext context)
    {
        // The first link alternates between the three ways a page can point at an article.
        var target = $"/article/{n}/1";
        var first = (n % 3) switch
        {
            0 => target,
            1 => $"..{target}",
            _ => $"http://{context.Request.Host}{target}",
        };
        return "<h1>Planet " + n + "</h1><h2><a href=\"/not-an-article\">About</a></h2>" +
               $"<div class=\"entry\"><h3><a href=\"{first}\">First article</a></h3><p>…</p></div>" +
               $"<div class=\"entry\"><h3><a href=\"/article/{n}/2\">Second article</a></h3></div>" +
               $"<div class=\"entry\"><h3><a href=\"/article/{n}/3\">Third article</a></h3></div>";
    }

    private static string Page(string title, string body) =>
        $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>{body}</body></html>\n";

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");
}

/// <summary>A host lifetime that does nothing: the program around the farm owns the process's signals.</summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

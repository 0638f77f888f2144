using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Crawler.Core.Telemetry;

/// <summary>
/// The crawler's traces and metrics for OpenTelemetry, through System.Diagnostics: the <see cref="ActivitySource"/>
/// and the <see cref="Meter"/> named <see cref="Name"/> (<c>AddSource("Crawler")</c>, <c>AddMeter("Crawler")</c>).
/// </summary>
/// <remarks>
/// <para>Traces: a span per planet (<c>crawler.planet</c>; in a cluster crawl, per step), with a child span per request
/// (<c>GET</c>, kind client) after the OpenTelemetry HTTP client conventions: <c>http.request.method</c>,
/// <c>url.full</c>, <c>server.address</c>, <c>server.port</c>, <c>http.response.status_code</c>, <c>error.type</c> (the
/// error kind, or the status of a 4xx/5xx), and an event per phase (<c>queued</c>, <c>dns</c>, <c>connect</c>,
/// <c>tls</c>, <c>wait</c>, <c>body</c>) at its start. The planet span carries <c>crawler.crawl.id</c>,
/// <c>crawler.planet.index</c>, <c>crawler.planet.url</c>, <c>crawler.job</c>, <c>crawler.result</c> (<c>ok</c> or
/// the error kind), <c>crawler.stage</c> and, on a failure, <c>error.type</c> and an error status. The spans are made
/// when the planet ends, from its recorded timings, with their real start and end times.</para>
/// <para>Metrics: <c>crawler.requests</c> and <c>crawler.results</c> (counters by <c>crawler.result</c>),
/// <c>crawler.request.duration</c> (seconds, a histogram by <c>crawler.phase</c>), <c>crawler.planets.active</c>
/// and <c>crawler.connections.active</c> (up-down counters).</para>
/// <para>Nothing is built when nobody listens: the spans only with a listener of the source, each instrument's tags
/// only when it is enabled.</para>
/// </remarks>
public static class CrawlerTelemetry
{
    /// <summary>The name of the source and of the meter.</summary>
    public const string Name = "Crawler";

    private static readonly string? Version = typeof(CrawlerTelemetry).Assembly.GetName().Version?.ToString();
    private static readonly string[] Phases = ["queued", "dns", "connect", "tls", "wait", "body"];

    /// <summary>The source of the crawler's spans.</summary>
    public static ActivitySource Source { get; } = new(Name, Version);

    /// <summary>The meter of the crawler's metrics (Crawler.Http's connections count under the same name).</summary>
    public static Meter Meter { get; } = new(Name, Version);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("crawler.requests", "{request}",
        "Requests that were answered or failed, by crawler.result (ok or the error kind)");

    private static readonly Counter<long> Results = Meter.CreateCounter<long>("crawler.results", "{planet}",
        "Planets that ended, by crawler.result (ok or the error kind)");

    private static readonly Histogram<double> PhaseDuration = Meter.CreateHistogram<double>("crawler.request.duration", "s",
        "The time of each phase of a request, by crawler.phase");

    private static readonly UpDownCounter<long> PlanetsActive = Meter.CreateUpDownCounter<long>("crawler.planets.active", "{planet}",
        "Planets being fetched");

    /// <summary>A planet's fetcher started.</summary>
    internal static void PlanetStarted() => PlanetsActive.Add(1);

    /// <summary>A planet's fetcher stopped.</summary>
    internal static void PlanetEnded() => PlanetsActive.Add(-1);

    /// <summary>Records the end of <paramref name="job"/> of crawl <paramref name="crawlId"/>, started at
    /// <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp): its metrics, and its spans when listened to.</summary>
    internal static void Record(string crawlId, Crawl.FetchPlanet job, Crawl.PlanetResult result, long startedAt)
    {
        var outcome = ResultOf(result);
        if (Results.Enabled)
        {
            Results.Add(1, new KeyValuePair<string, object?>("crawler.result", outcome));
        }

        if (Requests.Enabled || PhaseDuration.Enabled)
        {
            foreach (var timing in result.Timings)
            {
                Requests.Add(1, new KeyValuePair<string, object?>("crawler.result", timing.Error is { } kind ? kind.Name() : "ok"));
                var phases = PhasesOf(timing.Timings);
                for (var i = 0; i < phases.Length; i++)
                {
                    PhaseDuration.Record(phases[i].TotalSeconds, new KeyValuePair<string, object?>("crawler.phase", Phases[i]));
                }
            }
        }

        if (Source.HasListeners())
        {
            Trace(crawlId, job, result, outcome, startedAt);
        }
    }

    private static void Trace(string crawlId, Crawl.FetchPlanet job, Crawl.PlanetResult result, string outcome, long startedAt)
    {
        using var planet = Source.StartActivity("crawler.planet", ActivityKind.Internal, default(ActivityContext), startTime: TimeOf(startedAt));
        if (planet is null)
        {
            return;
        }

        planet.SetTag("crawler.crawl.id", crawlId);
        planet.SetTag("crawler.planet.index", job.Index);
        planet.SetTag("crawler.planet.url", job.Url);
        planet.SetTag("crawler.job", job.Mode == CrawlMode.Titles ? "titles" : "planets");
        planet.SetTag("crawler.result", outcome);
        switch (result)
        {
            case Crawl.PlanetFetched fetched:
                planet.SetTag("crawler.stage", job.LinkOnly ? "planet" : "article");
                planet.SetTag("crawler.article.url", fetched.Article);
                planet.SetStatus(ActivityStatusCode.Ok);
                break;
            case Crawl.PlanetFailed failed:
                planet.SetTag("crawler.stage", failed.Stage.Name());
                planet.SetTag("error.type", outcome);
                planet.SetStatus(ActivityStatusCode.Error, failed.Message);
                break;
        }

        foreach (var timing in result.Timings)
        {
            Request(planet, timing);
        }
    }

    private static void Request(Activity planet, Crawl.RequestTiming timing)
    {
        var start = TimeOf(timing.Timings.Started);
        using var request = Source.StartActivity("GET", ActivityKind.Client, planet.Context, startTime: start);
        if (request is null)
        {
            return;
        }

        request.SetTag("http.request.method", "GET");
        request.SetTag("url.full", timing.Url);
        if (Uri.TryCreate(timing.Url, UriKind.Absolute, out var url))
        {
            request.SetTag("server.address", url.Host);
            request.SetTag("server.port", url.Port);
        }

        if (timing.Status is { } status)
        {
            request.SetTag("http.response.status_code", status);
        }

        if (timing.Robots)
        {
            request.SetTag("crawler.robots", true);
        }

        var error = timing.Error is { } kind ? kind.Name() : timing.Status >= 400 ? timing.Status.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        if (error is not null)
        {
            request.SetTag("error.type", error);
            request.SetStatus(ActivityStatusCode.Error);
        }

        var at = start;
        var phases = PhasesOf(timing.Timings);
        for (var i = 0; i < phases.Length; i++)
        {
            if (phases[i] > TimeSpan.Zero)
            {
                request.AddEvent(new ActivityEvent(Phases[i], at));
                at += phases[i];
            }
        }

        request.SetEndTime((start + timing.Timings.Total).UtcDateTime);
    }

    private static TimeSpan[] PhasesOf(Http.RequestTimings t) => [t.Queued, t.Dns, t.Connect, t.Tls, t.Wait, t.Body];

    private static string ResultOf(Crawl.PlanetResult result) => result is Crawl.PlanetFailed failed ? failed.Kind.Name() : "ok";

    /// <summary>The wall-clock time of a <see cref="Stopwatch"/> timestamp.</summary>
    private static DateTimeOffset TimeOf(long timestamp) => DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(timestamp);
}

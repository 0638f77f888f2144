using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Hosting;
using Crawler.Core;
using Crawler.Core.Embedding;
using Crawler.Core.Output;
using Crawler.Hosting;
using Crawler.Http;

namespace Crawler.Examples.Web;

/// <summary>
/// The example app: an ActorSystem hosted with Akka.Hosting (the crawler's settings from the "Crawler" section of
/// appsettings.json), <see cref="ICrawler"/> from DI, and two endpoints:
/// <c>POST /crawl</c> with a JSON list of planet URLs, answered with the results once the crawl is done
/// (<c>?background=true</c>: 202 at once, with the crawl's id and its <c>Location</c>), and <c>GET /crawl/{id}</c>
/// for a crawl started in the background (<c>running</c>, then <c>done</c> with its results).
/// </summary>
public static class CrawlApi
{
    /// <summary>Builds the app (the caller starts it; tests set <c>--urls http://127.0.0.1:0</c>).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddAkka("crawler-web", akka => akka
            .WithCrawler(crawler => crawler.Configuration = builder.Configuration.GetSection("Crawler")));
        builder.Services.AddCrawler();
        builder.Services.AddSingleton<BackgroundCrawls>();

        var app = builder.Build();
        app.MapPost("/crawl", async (HttpRequest request, ICrawler crawler, BackgroundCrawls crawls, bool? background, string? mode,
            CancellationToken aborted) =>
        {
            List<string>? planets;
            try
            {
                planets = await request.ReadFromJsonAsync<List<string>>(aborted);
            }
            catch (JsonException e)
            {
                return Results.BadRequest(new { error = $"the body must be a JSON list of planet URLs: {e.Message}" });
            }

            if (planets is null || planets.Count == 0)
            {
                return Results.BadRequest(new { error = "the body must be a JSON list of at least one planet URL" });
            }

            if (mode is not (null or "planets" or "titles"))
            {
                return Results.BadRequest(new { error = $"mode must be planets or titles, not '{mode}'" });
            }

            var options = new CrawlOptions { Mode = mode == "titles" ? CrawlMode.Titles : CrawlMode.Planets };
            if (background == true)
            {
                var id = crawls.Start(crawler, planets, options);
                return Results.Accepted($"/crawl/{id}", new JsonObject { ["id"] = id, ["state"] = "running" });
            }

            // A client that goes away cancels its crawl.
            var report = await crawler.CrawlAsync(planets, options, aborted);
            return Results.Json(ToJson(report, options.Mode));
        });
        app.MapGet("/crawl/{id}", (string id, BackgroundCrawls crawls) =>
            crawls.Find(id) is { } crawl ? Results.Json(crawl.ToJson()) : Results.NotFound(new { error = $"no crawl {id}" }));
        return app;
    }

    /// <summary>A report as JSON: the summary and each result with the fields of the console host's <c>--json</c>.</summary>
    public static JsonObject ToJson(CrawlReport report, CrawlMode mode)
    {
        ArgumentNullException.ThrowIfNull(report);
        var summary = report.Summary;
        var kinds = new JsonObject();
        foreach (var (kind, count) in summary.FailuresByKind)
        {
            kinds[kind.Name()] = count;
        }

        var results = new JsonArray();
        foreach (var result in report.Results)
        {
            results.Add(JsonNode.Parse(ResultFormatter.Format(result, mode, ResultFormat.Json)));
        }

        return new JsonObject
        {
            ["summary"] = new JsonObject
            {
                ["total"] = summary.Total,
                ["ok"] = summary.Ok,
                ["failed"] = summary.Failed,
                ["elapsedMs"] = (long)summary.Elapsed.TotalMilliseconds,
                ["failuresByKind"] = kinds,
            },
            ["results"] = results,
        };
    }
}

/// <summary>Crawls started in the background, by id. Finished ones are kept for an hour.</summary>
public sealed class BackgroundCrawls
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, Entry> _crawls = new();

    /// <summary>Starts a crawl and returns its id.</summary>
    public string Start(ICrawler crawler, IReadOnlyList<string> planets, CrawlOptions options)
    {
        ArgumentNullException.ThrowIfNull(crawler);
        Forget();
        var id = Guid.NewGuid().ToString("N")[..12];
        var entry = new Entry(id, options.Mode, crawler.CrawlAsync(planets, options));
        _crawls[id] = entry;
        entry.Report.ContinueWith(_ => entry.Finished = DateTimeOffset.UtcNow, TaskScheduler.Default);
        return id;
    }

    /// <summary>The crawl with this id, or null.</summary>
    public Entry? Find(string id) => _crawls.GetValueOrDefault(id);

    private void Forget()
    {
        foreach (var (id, entry) in _crawls)
        {
            if (entry.Finished is { } at && DateTimeOffset.UtcNow - at > Keep)
            {
                _crawls.TryRemove(id, out _);
            }
        }
    }

    /// <summary>One background crawl.</summary>
    public sealed record Entry(string Id, CrawlMode Mode, Task<CrawlReport> Report)
    {
        /// <summary>When it finished, once it has.</summary>
        public DateTimeOffset? Finished { get; set; }

        /// <summary>Its state as JSON: running, done (with the report) or failed.</summary>
        public JsonObject ToJson()
        {
            if (!Report.IsCompleted)
            {
                return new JsonObject { ["id"] = Id, ["state"] = "running" };
            }

            if (!Report.IsCompletedSuccessfully)
            {
                return new JsonObject { ["id"] = Id, ["state"] = "failed", ["error"] = Report.Exception?.GetBaseException().Message ?? "cancelled" };
            }

            var json = CrawlApi.ToJson(Report.Result, Mode);
            json["id"] = Id;
            json["state"] = "done";
            return json;
        }
    }
}

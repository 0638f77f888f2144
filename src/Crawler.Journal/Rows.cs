using System.Collections.Immutable;
using System.Runtime.Serialization;
using System.Text.Json.Serialization;
using Crawler.Core;
using Crawler.Http;

namespace Crawler.Journal;

/// <summary>The JSON rows of results and job starts, with their field names fixed by attributes (renaming a C#
/// property never changes what is on disk or on the wire); shared by the journal's and the cluster's serializers.</summary>
internal static class Rows
{
    internal static TEnum Named<TEnum>(string? name, Func<TEnum, string> nameOf) where TEnum : struct, Enum
    {
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (nameOf(value) == name)
            {
                return value;
            }
        }

        throw new SerializationException($"unknown {typeof(TEnum).Name} '{name}'");
    }

    internal static string ModeName(CrawlMode mode) => mode == CrawlMode.Titles ? "titles" : "planets";

    internal sealed record StartedRow(
        [property: JsonPropertyName("mode")] string Mode,
        [property: JsonPropertyName("options")] string Options,
        [property: JsonPropertyName("urls")] string Urls,
        [property: JsonPropertyName("planets")] int Planets,
        [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt)
    {
        public static StartedRow Of(JobStarted e) => new(ModeName(e.Mode), e.OptionsHash, e.UrlsHash, e.PlanetCount, e.StartedAt);

        public JobStarted ToEvent() => new(Named<CrawlMode>(Mode, ModeName), Options, Urls, Planets, StartedAt);
    }

    internal sealed record TimingRow(
        [property: JsonPropertyName("url")] string Url,
        [property: JsonPropertyName("started")] long Started,
        [property: JsonPropertyName("queuedTicks")] long Queued,
        [property: JsonPropertyName("dnsTicks")] long Dns,
        [property: JsonPropertyName("connectTicks")] long Connect,
        [property: JsonPropertyName("tlsTicks")] long Tls,
        [property: JsonPropertyName("waitTicks")] long Wait,
        [property: JsonPropertyName("bodyTicks")] long Body,
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("robots")] bool Robots)
    {
        public static TimingRow Of(Crawl.RequestTiming t) => new(t.Url, t.Timings.Started, t.Timings.Queued.Ticks, t.Timings.Dns.Ticks,
            t.Timings.Connect.Ticks, t.Timings.Tls.Ticks, t.Timings.Wait.Ticks, t.Timings.Body.Ticks, t.Error?.Name(), t.Robots);

        public Crawl.RequestTiming ToTiming() =>
            new(Url, new RequestTimings(Started, new TimeSpan(Queued), new TimeSpan(Dns), new TimeSpan(Connect), new TimeSpan(Tls),
                new TimeSpan(Wait), new TimeSpan(Body)))
            {
                Error = Error is null ? null : Named<ErrorKind>(Error, ErrorKinds.Name),
                Robots = Robots,
            };
    }

    internal sealed record ResultRow(
        [property: JsonPropertyName("index")] int Index,
        [property: JsonPropertyName("planet")] string Planet,
        [property: JsonPropertyName("ok")] bool Ok,
        [property: JsonPropertyName("article")] string? Article,
        [property: JsonPropertyName("title")] string? Title,
        [property: JsonPropertyName("status")] int? Status,
        [property: JsonPropertyName("attempts")] int Attempts,
        [property: JsonPropertyName("elapsedMs")] long ElapsedMs,
        [property: JsonPropertyName("stage")] string? Stage,
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("message")] string? Message,
        [property: JsonPropertyName("failedUrl")] string? FailedUrl,
        [property: JsonPropertyName("phase")] string? Phase,
        [property: JsonPropertyName("timings")] ImmutableArray<TimingRow> Timings)
    {
        public static ResultRow Of(Crawl.PlanetResult result) => result switch
        {
            Crawl.PlanetFetched ok => new(ok.Index, ok.Planet, true, ok.Article, ok.Title, ok.Status, ok.Attempts, ok.ElapsedMs,
                null, null, null, null, null, Rows(ok)),
            Crawl.PlanetFailed failed => new(failed.Index, failed.Planet, false, null, null, failed.Status, failed.Attempts, failed.ElapsedMs,
                failed.Stage.Name(), failed.Kind.Name(), failed.Message, failed.Url, failed.Phase?.Name(), Rows(failed)),
            _ => throw new ArgumentException($"{result?.GetType()} is not a planet result", nameof(result)),
        };

        public Crawl.PlanetResult ToResult()
        {
            var timings = Timings.IsDefault ? [] : Timings.Select(t => t.ToTiming()).ToArray();
            if (Ok)
            {
                return new Crawl.PlanetFetched(Index, Planet, Article, Title ?? string.Empty, Status ?? 0, Attempts, ElapsedMs) { Timings = timings };
            }

            return new Crawl.PlanetFailed(Index, Planet, Named<FetchStage>(Stage, FetchStages.Name),
                    new Core.Failure(Named<ErrorKind>(Error, ErrorKinds.Name), Message ?? string.Empty, FailedUrl, Status,
                        Phase is null ? null : Named<TimeoutPhase>(Phase, TimeoutPhases.Name)), Attempts, ElapsedMs) { Timings = timings };
        }

        private static ImmutableArray<TimingRow> Rows(Crawl.PlanetResult result) => [.. result.Timings.Select(TimingRow.Of)];
    }
}

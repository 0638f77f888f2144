using Crawler.Core;
using Crawler.Http;

namespace Crawler.Journal.Tests;

/// <summary>Results of every shape, for the journal's specs.</summary>
internal static class Results
{
    public static Crawl.PlanetFetched Ok(int index) =>
        new(index, $"http://127.0.0.1:1/planet/{index}", $"http://127.0.0.1:1/article/{index}/1", $"Article 1 of planet {index}", 200, 1, 12 + index)
        {
            Timings =
            [
                new Crawl.RequestTiming($"http://127.0.0.1:1/planet/{index}", new RequestTimings(123456789, TimeSpan.FromTicks(10),
                    TimeSpan.FromTicks(20), TimeSpan.FromTicks(30), TimeSpan.Zero, TimeSpan.FromTicks(50), TimeSpan.FromTicks(60))),
                new Crawl.RequestTiming("http://127.0.0.1:1/robots.txt", new RequestTimings(1, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero,
                    TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero)) { Robots = true },
                new Crawl.RequestTiming($"http://127.0.0.1:1/article/{index}/1", new RequestTimings(2, TimeSpan.Zero, TimeSpan.Zero,
                    TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero)) { Error = ErrorKind.Reset },
            ],
        };

    public static Crawl.PlanetFailed Failed(int index, ErrorKind kind = ErrorKind.NoTitle, TimeoutPhase? phase = null) =>
        new(index, $"http://127.0.0.1:1/planet/{index}", FetchStage.Article,
            new Failure(kind, $"{kind} on purpose", $"http://127.0.0.1:1/article/{index}/1", 404, phase), 3, 40 + index);
}

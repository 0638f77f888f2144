// Embeds the crawler in an ActorSystem this program owns, the three ways in:
//   1. CrawlAsync, for plain .NET code;
//   2. the Akka.Streams Source of results;
//   3. an actor of ours that receives each result and then Completed.
// Usage: dotnet run --project examples/Crawler.Examples.Console -- PLANET_URL ...
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core;
using Crawler.Core.Embedding;
using Crawler.Http;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Crawler.Examples.Console PLANET_URL ...");
    return 2;
}

// The system's own HOCON: the crawler's defaults come from its embedded reference.conf; we override one key.
using var system = ActorSystem.Create("example", """
    akka.loglevel = WARNING
    crawler.http.connect-timeout = 5s
    """);
var crawler = system.Crawler();

// 1. A task.
var report = await crawler.CrawlAsync(args);
foreach (var result in report.Results)
{
    Console.WriteLine(result switch
    {
        Crawl.PlanetFetched ok => $"task:   {ok.Planet} -> {ok.Title}",
        Crawl.PlanetFailed failed => $"task:   {failed.Planet} failed: {failed.Kind.Name()}: {failed.Message}",
        _ => result.ToString(),
    });
}

Console.WriteLine($"task:   {report.Summary.Ok} of {report.Summary.Total} ok");

// 2. A stream: the titles of the same planets as they finish.
var titles = await crawler.Results(Source.From(args))
    .Where(result => result is Crawl.PlanetFetched)
    .Select(result => ((Crawl.PlanetFetched)result).Title)
    .RunWith(Sink.Seq<string>(), system.Materializer());
Console.WriteLine($"stream: {titles.Count} titles");

// 3. An actor of ours.
var done = new TaskCompletionSource<CrawlSummary>();
var listener = system.ActorOf(Props.Create(() => new Listener(done)), "listener");
system.ActorOf(crawler.CrawlProps(listener), "crawl").Tell(new Crawl.StartCrawl([.. args]));
var summary = await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
Console.WriteLine($"actor:  {summary.Ok} of {summary.Total} ok");

await system.Terminate();
return report.Summary.AllOk ? 0 : 1;

/// <summary>Receives the crawl's results, then its Completed.</summary>
internal sealed class Listener : ReceiveActor
{
    public Listener(TaskCompletionSource<CrawlSummary> done)
    {
        Receive<Crawl.PlanetResult>(result => Console.WriteLine($"actor:  result for planet {result.Index}"));
        Receive<Crawl.Completed>(completed => done.TrySetResult(completed.Summary));
    }
}

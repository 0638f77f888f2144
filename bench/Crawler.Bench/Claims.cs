using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Embedding;
using Crawler.Core.Output;
using Crawler.SampleSite;

namespace Crawler.Bench;

/// <summary>The seed article's three claims, reproduced: the shared counter, planets sequential vs concurrent, and
/// the trivial job sequential vs concurrent.</summary>
internal static class Claims
{
    public static async Task RunAsync()
    {
        Console.WriteLine("1. The counter: 100 workers x 1,000 increments (expected 100,000), median of 5");
        Counter("threads, no lock (unsafe)", () => Threads(count => count.Value++));
        Counter("threads, lock", () =>
        {
            var gate = new object();
            return Threads(count =>
            {
                lock (gate)
                {
                    count.Value++;
                }
            });
        });
        Counter("threads, Interlocked", () => Threads(count => Interlocked.Increment(ref count.Value)));
        using (var system = ActorSystem.Create("claims", "akka.loglevel = WARNING"))
        {
            Counter("one counter actor, 100,000 messages", () => ActorCounter(system));
        }

        Console.WriteLine();
        using var crawlSystem = ActorSystem.Create("claims-crawl", "akka.loglevel = WARNING\ncrawler.robots.enabled = off\ncrawler.http.max-connections-per-host = 0");
        var settings = CrawlerSettings.Create(crawlSystem);
        await using (var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(4, TimeSpan.FromMilliseconds(200))))
        {
            await Compare("2. Planets: 4 @ 200 ms (the seed: 3x)", crawlSystem, settings, [.. farm.PlanetUrls], CrawlMode.Planets);
            await Compare("3. The trivial job: 30 titles @ 200 ms (the seed: 8x)", crawlSystem, settings,
                [.. Enumerable.Repeat(farm.BaseUri.ToString(), 30)], CrawlMode.Titles);
        }

        await crawlSystem.Terminate();
    }

    private sealed class Count
    {
        public int Value;
    }

    private static (int Total, TimeSpan Elapsed) Threads(Action<Count> increment)
    {
        // All threads wait at one gate and start together: 1,000 increments take about a microsecond, less than
        // starting the next thread, so without the gate the threads would hardly ever overlap.
        var count = new Count();
        using var gate = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, 100).Select(_ => new Thread(() =>
        {
            gate.Wait();
            for (var i = 0; i < 1000; i++)
            {
                increment(count);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        var clock = Stopwatch.StartNew();
        gate.Set();
        threads.ForEach(t => t.Join());
        return (count.Value, clock.Elapsed);
    }

    private static (int Total, TimeSpan Elapsed) ActorCounter(ActorSystem system)
    {
        var done = new TaskCompletionSource<int>();
        var counter = system.ActorOf(Props.Create<CounterActor>(100_000, done));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 100_000; i++)
        {
            counter.Tell(CounterActor.Increment.Instance);
        }

        var total = done.Task.GetAwaiter().GetResult();
        return (total, clock.Elapsed);
    }

    private static void Counter(string name, Func<(int Total, TimeSpan Elapsed)> run)
    {
        var results = Enumerable.Range(0, 5).Select(_ => run()).ToList();
        var median = results.Select(r => r.Elapsed.TotalMilliseconds).Order().ElementAt(2);
        var lost = results.Select(r => 100_000 - r.Total).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   {name,-38} {median,8:0.00} ms   updates lost per run: {string.Join(", ", lost)}"));
    }

    private static async Task Compare(string title, ActorSystem system, CrawlerSettings settings, string[] urls, CrawlMode mode)
    {
        async Task<double> Time(CrawlerSettings s)
        {
            var clock = Stopwatch.StartNew();
            await CrawlerProps.Start(system, new Crawl.StartCrawl([.. urls], mode), s, ResultFormat.Text, TextWriter.Null, TextWriter.Null).Completion;
            return clock.Elapsed.TotalSeconds;
        }

        await Time(settings); // warm-up
        var concurrent = new[] { await Time(settings), await Time(settings), await Time(settings) }.Order().ElementAt(1);
        var sequential = new[] { await Time(settings with { Sequential = true }), await Time(settings with { Sequential = true }), await Time(settings with { Sequential = true }) }.Order().ElementAt(1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{title}: sequential {sequential:0.000} s, concurrent {concurrent:0.000} s: {sequential / concurrent:0.0}x"));
    }

    private sealed class CounterActor : UntypedActor
    {
        private readonly int _expected;
        private readonly TaskCompletionSource<int> _done;
        private int _count;

        public CounterActor(int expected, TaskCompletionSource<int> done)
        {
            _expected = expected;
            _done = done;
        }

        protected override void OnReceive(object message)
        {
            if (++_count == _expected)
            {
                _done.SetResult(_count);
            }
        }

        public sealed class Increment
        {
            public static readonly Increment Instance = new();
        }
    }
}

using System.Globalization;
using Crawler.Bench;
using Crawler.SampleSite;

// Benchmarks (harnesses that print figures; never timed tests):
//   (no argument) | inproc [RUNS]   crawls of the planet farm inside this process
//   whole [RUNS]                    the crawler and the HttpClient baseline as whole processes (./build.sh bench)
//   claims                          the seed article's three claims
//   messages [PLANETS]              actor messages per planet, by receiving actor (default 1000 planets)
//   parser [BENCHMARKDOTNET ARGS]   the HTTP response parser under BenchmarkDotNet (MB/s, bytes allocated)
//   farm PLANETS DELAY_MS [PAGE_BYTES DRIP_MS]
//                                   serve a planet farm until stdin closes (used by whole); 'stats' on stdin prints counts
//   soak [PLANETS HOSTS PASSES]     the published crawler on a faulty farm of many hosts, RSS and descriptors sampled
//                                   (default 100000 50 5; writes docs/soak.md, docs/soak-rss.svg, docs/soak-samples.csv)
var verb = args.Length > 0 ? args[0] : "inproc";
int Runs(int fallback) => args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var r) ? r : fallback;
switch (verb)
{
    case "whole":
        await WholeProcess.RunAsync(Runs(3));
        break;
    case "parser":
        ParserBenchmarks.Run(args[1..]);
        break;
    case "claims":
        await Claims.RunAsync();
        break;
    case "messages":
        await MessageCount.RunAsync(Runs(1000));
        break;
    case "farm":
        int FarmArg(int i) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : 0;
        await using (var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(FarmArg(1), TimeSpan.FromMilliseconds(FarmArg(2)))
                     {
                         PageBytes = FarmArg(3),
                         Drip = TimeSpan.FromMilliseconds(FarmArg(4)),
                     }))
        {
            Console.WriteLine(farm.BaseUri);
            while (await Console.In.ReadLineAsync() is { } line)
            {
                if (line == "stats")
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests {farm.RequestCount} connections {farm.ConnectionCount}"));
                }
            }
        }

        break;
    case "soak":
        int Arg(int i, int fallback) => args.Length > i && int.TryParse(args[i], CultureInfo.InvariantCulture, out var v) ? v : fallback;
        return await Soak.RunAsync(Arg(1, 100_000), Arg(2, 50), Arg(3, 5), Path.Combine(WholeProcess.FindRoot(), "docs"));
    default:
        await InProcess.RunAsync(int.TryParse(verb, CultureInfo.InvariantCulture, out var n) ? n : Runs(3));
        break;
}

return 0;

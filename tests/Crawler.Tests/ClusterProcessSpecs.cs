using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Crawler.SampleSite;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Tests;

/// <summary>
/// A cluster crawl across processes: three <c>crawler node</c> processes on 127.0.0.1 sharing a SQLite journal, a
/// <c>crawler submit</c> client, and a farm whose planets live on eight host addresses. The node that holds the
/// crawl's ledger is SIGKILLed (by its PID) about a quarter of the way in (a 15-second crawl: 25 planets a host, one
/// connection a host, 300 ms a response). Slow (the split-brain resolver's decision and the
/// ledger's recovery take tens of seconds), so tagged; <c>.ci/run</c> runs it with the rest.
/// </summary>
[Trait("Category", "slow")]
public sealed class ClusterProcessSpecs : IAsyncLifetime
{
    private const int Planets = 200;
    private const int PerHostCap = 1;
    private readonly ITestOutputHelper _output;
    private readonly string _folder = Directory.CreateTempSubdirectory("crawler-cluster-").FullName;
    private readonly List<ChildProcess> _children = [];
    private PlanetFarm _farm = null!;

    public ClusterProcessSpecs(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(Planets, TimeSpan.FromMilliseconds(300)) { Hosts = 8 });
        await File.WriteAllTextAsync(Config, string.Create(CultureInfo.InvariantCulture, $"""
            akka.cluster.split-brain-resolver.stable-after = 5s
            akka.cluster.role.worker.min-nr-of-members = 2
            crawler.cluster.redeliver-interval = 3s
            crawler.cluster.client-timeout = 20s
            # 200 planets go in four chunks.
            crawler.cluster.submit-chunk = 64
            crawler.http.max-connections-per-host = {PerHostCap}
            crawler.robots.enabled = off
            """));
    }

    public async Task DisposeAsync()
    {
        foreach (var child in _children)
        {
            child.Dispose();
        }

        await _farm.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private string Config => Path.Combine(_folder, "cluster.conf");

    [Fact]
    public async Task Killing_the_node_that_holds_the_ledger_loses_no_planet_and_refetches_only_what_was_in_flight()
    {
        var (nodes, submit) = await StartCrawlAsync("kill", Path.Combine(_folder, "journal.db"));

        // Which node holds the ledger: it says so on its stderr. (No status client here: see docs/cluster.md on
        // clients that leave while a worker dies.)
        var victim = nodes.Single(n => n.ErrorLines.Snapshot().Any(line => line.StartsWith("job 'kill': its ledger is on this node", StringComparison.Ordinal)));
        var ledger = $"node {nodes.IndexOf(victim)}";
        var fetchedAtKill = _farm.RequestCount;
        var clock = Stopwatch.StartNew();
        victim.Kill();
        Assert.True(submit.OutputLines.Count < Planets * 3 / 4, $"the crawl was nearly done ({submit.OutputLines.Count}) before the kill");
        _output.WriteLine($"killed {ledger} at {submit.OutputLines.Count} results, {fetchedAtKill} requests");

        var exit = await submit.WaitForExit(TimeSpan.FromSeconds(150));
        _output.WriteLine($"the crawl ended {clock.Elapsed.TotalSeconds:0.0} s after the kill; {_farm.RequestCount} requests");
        Assert.True(exit == 0, $"submit exited {exit}\n{string.Join('\n', submit.ErrorLines)}");
        var results = submit.OutputLines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(_farm.PlanetUrls.Order(StringComparer.Ordinal), results.Select(r => r.GetProperty("planet").GetString()).Order(StringComparer.Ordinal));
        Assert.All(results, r => Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString()));
        Assert.All(results, r => Assert.EndsWith(
            "/article/" + r.GetProperty("planet").GetString()!.Split('/')[^1] + "/1", r.GetProperty("article").GetString(), StringComparison.Ordinal));

        // Each page once, but what the dead node had in flight: at most the per-host cap on each of its hosts.
        Assert.InRange(_farm.RequestCount, 2 * Planets, 2 * Planets + 8 * PerHostCap);
        Assert.All(_farm.PeakConcurrencyByHost, host => Assert.True(host.Value <= PerHostCap, $"{host.Key}: {host.Value} at once"));

        // A survivor leaves on SIGTERM with exit 0.
        var survivor = nodes.First(n => n != victim);
        survivor.Terminate();
        Assert.Equal(0, await survivor.WaitForExit(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_crawl_whose_every_node_was_killed_finishes_on_a_new_node_without_fetching_what_was_done()
    {
        var journal = Path.Combine(_folder, "journal.db");
        var (nodes, first) = await StartCrawlAsync("resume", journal);
        foreach (var node in nodes)
        {
            node.Kill();
        }

        first.Kill();
        await Task.Delay(500); // what was in flight reaches the farm or dies with the connections
        var printed = first.OutputLines.Snapshot();
        var before = _farm.RequestCount;
        _output.WriteLine($"killed every node at {printed.Count} results, {before} requests");
        Assert.True(printed.Count < Planets, "the crawl had finished before the kill");

        // One new node on the same journal (a cluster of one), and the same job attached: the rest finishes.
        var alone = Path.Combine(_folder, "alone.conf");
        await File.WriteAllTextAsync(alone, $"include \"{Config}\"\nakka.cluster.role.worker.min-nr-of-members = 1\n");
        var port = WorkerPorts()[0].ToString(CultureInfo.InvariantCulture);
        var survivor = Start(["node", "--port", port, "--seed", $"127.0.0.1:{port}", "--journal", journal, "--config", alone]);
        await survivor.WaitForErrorLine(line => line.EndsWith(" is up", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var again = Start(["submit", "--seed", $"127.0.0.1:{port}", "--job", "resume", "--json", "--config", alone]);
        var exit = await again.WaitForExit(TimeSpan.FromSeconds(120));
        Assert.True(exit == 0, $"submit exited {exit}\n{string.Join('\n', again.ErrorLines)}");

        var results = again.OutputLines.Snapshot();
        Assert.Equal(_farm.PlanetUrls.Order(StringComparer.Ordinal),
            results.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("planet").GetString()).Order(StringComparer.Ordinal));
        Assert.All(printed, line => Assert.Contains(line, results)); // what the killed run showed, recorded as it was
        var fetched = _farm.RequestCount - before;
        _output.WriteLine($"the new node fetched {fetched} pages");
        Assert.InRange(fetched, 0, 2 * (Planets - printed.Count) + 8 * PerHostCap);
    }

    [SkippableFact]
    public async Task A_node_on_a_postgresql_journal_records_the_job_there_and_a_new_node_answers_it_after_a_kill()
    {
        Skip.If(PostgresServer.BinFolder is null && !PostgresServer.Required, "PostgreSQL is not installed (.ci/run installs it)");
        await using var postgres = await PostgresServer.StartAsync();
        var alone = Path.Combine(_folder, "alone.conf");
        await File.WriteAllTextAsync(alone, $"include \"{Config}\"\nakka.cluster.role.worker.min-nr-of-members = 1\n");
        string[] urls = [.. _farm.PlanetUrls.Take(16)];
        string[] journal = ["--journal-connection", postgres.ConnectionString, "--journal-provider", "PostgreSQL.15", "--config", alone];

        var port = WorkerPorts()[0].ToString(CultureInfo.InvariantCulture);
        var node = Start(["node", "--port", port, "--seed", $"127.0.0.1:{port}", .. journal]);
        await node.WaitForErrorLine(line => line.EndsWith(" is up", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var submit = Start(["submit", "--seed", $"127.0.0.1:{port}", "--job", "pg", "--json", "--config", alone, .. urls]);
        Assert.Equal(0, await submit.WaitForExit(TimeSpan.FromSeconds(120)));
        Assert.Equal(32, _farm.RequestCount);
        node.Kill();

        var again = Start(["node", "--port", port, "--seed", $"127.0.0.1:{port}", .. journal]);
        await again.WaitForErrorLine(line => line.EndsWith(" is up", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var attach = Start(["submit", "--seed", $"127.0.0.1:{port}", "--job", "pg", "--json", "--config", alone]);
        Assert.Equal(0, await attach.WaitForExit(TimeSpan.FromSeconds(120)));

        Assert.Equal(submit.OutputLines.Snapshot().Order(StringComparer.Ordinal), attach.OutputLines.Snapshot().Order(StringComparer.Ordinal));
        Assert.Equal(16, attach.OutputLines.Count);
        Assert.Equal(32, _farm.RequestCount); // answered from PostgreSQL, not fetched again

        // The titles job on the cluster: each URL's own title, one request each.
        var titles = Start(["submit", "--seed", $"127.0.0.1:{port}", "--titles", "--json", "--config", alone, .. urls[..4]]);
        Assert.Equal(0, await titles.WaitForExit(TimeSpan.FromSeconds(120)));
        Assert.All(titles.OutputLines.Snapshot(), line => Assert.StartsWith("Planet ", JsonDocument.Parse(line).RootElement.GetProperty("title").GetString(),
            StringComparison.Ordinal));
        Assert.Equal(4, titles.OutputLines.Count);
        Assert.Equal(36, _farm.RequestCount);
    }

    [Fact]
    public async Task A_seed_that_does_not_answer_is_said_after_a_bounded_wait_and_a_taken_port_is_refused()
    {
        var silent = FreePorts.One();
        var clock = Stopwatch.StartNew();
        var run = await CrawlerProcess.RunAsync(["submit", "--seed", $"127.0.0.1:{silent}", "--config", Config, _farm.PlanetUrls[0]]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60)); // crawler.cluster.client-timeout = 20s

        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var node = await CrawlerProcess.RunAsync(["node", "--port", port, "--seed", $"127.0.0.1:{port}", "--journal", Path.Combine(_folder, "j.db")]);
        Assert.True(node.ExitCode == 2, node.ToString());
    }

    /// <summary>Three worker processes on <paramref name="journal"/>, all up, and a submit of the farm's planets as job
    /// <paramref name="job"/> that has printed a quarter of them.</summary>
    private async Task<(List<ChildProcess> Nodes, ChildProcess Submit)> StartCrawlAsync(string job, string journal)
    {
        var ports = WorkerPorts();
        var seeds = ports.Take(2).SelectMany(p => new[] { "--seed", $"127.0.0.1:{p}" }).ToArray();
        var nodes = ports.Select(port => Start(["node", "--port", port.ToString(CultureInfo.InvariantCulture), .. seeds,
            "--journal", journal, "--config", Config])).ToList();
        foreach (var node in nodes)
        {
            await node.WaitForErrorLine(line => line.EndsWith(" is up", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        }

        var urls = Path.Combine(_folder, "planets.txt");
        await File.WriteAllLinesAsync(urls, _farm.PlanetUrls);
        var submit = Start(["submit", .. seeds, "--job", job, "--json", "--config", Config, "-f", urls]);
        await submit.WaitForOutputLines(Planets / 4, TimeSpan.FromSeconds(60));
        return (nodes, submit);
    }

    private ChildProcess Start(IReadOnlyList<string> args)
    {
        var child = new ChildProcess(args, _output);
        _children.Add(child);
        return child;
    }

    /// <summary>Three free ports below the ephemeral range (32768 and up on Linux, where clients' ports come from), as
    /// a deployment gives its workers fixed ports.</summary>
    private static int[] WorkerPorts()
    {
        var ports = new List<int>();
        for (var port = 20000 + Random.Shared.Next(0, 9000); ports.Count < 3; port++)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                ports.Add(port);
            }
            catch (SocketException)
            {
                // taken: the next
            }
        }

        return [.. ports];
    }

    /// <summary>A crawler process whose output lines are collected as they come; killed by its PID when disposed.</summary>
    private sealed class ChildProcess : IDisposable
    {
        private readonly Process _process;

        public ChildProcess(IReadOnlyList<string> args, ITestOutputHelper output)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
                WorkingDirectory = Path.GetTempPath(),
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "crawler.dll"));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) =>
            {
                if (!string.IsNullOrEmpty(e.Data))
                {
                    OutputLines.Add(e.Data);
                }
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    ErrorLines.Add(line);
                    try
                    {
                        output.WriteLine($"[{args[0]} {_process.Id}] {line}");
                    }
                    catch (InvalidOperationException)
                    {
                        // the spec has ended
                    }
                }
            };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public BlockingList OutputLines { get; } = new();

        public BlockingList ErrorLines { get; } = new();

        public Task WaitForErrorLine(Func<string, bool> predicate, TimeSpan timeout) =>
            Until(() => ErrorLines.Snapshot().Any(predicate), timeout, "the line on stderr");

        public Task WaitForOutputLines(int count, TimeSpan timeout) => Until(() => OutputLines.Count >= count, timeout, $"{count} results");

        public async Task<int> WaitForExit(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cancel.Token);
            _process.WaitForExit(); // the output handlers have run
            return _process.ExitCode;
        }

        /// <summary>SIGKILL, by PID.</summary>
        public void Kill() => _process.Kill();

        /// <summary>SIGTERM, by PID.</summary>
        public void Terminate()
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
        }

        private async Task Until(Func<bool> condition, TimeSpan timeout, string what)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!condition())
            {
                if (DateTime.UtcNow > deadline || _process.HasExited)
                {
                    throw new TimeoutException($"no {what} from crawler {_process.Id} (exited: {_process.HasExited})\n{string.Join('\n', ErrorLines.Snapshot())}");
                }

                await Task.Delay(100);
            }
        }
    }

    /// <summary>Lines added from one thread and read from another.</summary>
    private sealed class BlockingList : IEnumerable<string>
    {
        private readonly List<string> _lines = [];

        public int Count
        {
            get
            {
                lock (_lines)
                {
                    return _lines.Count;
                }
            }
        }

        public void Add(string line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }

        public IReadOnlyList<string> Snapshot()
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }

        public IEnumerator<string> GetEnumerator() => Snapshot().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Crawler.Cluster;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Embedding;
using Crawler.Core.Output;
using Crawler.Journal;

namespace Crawler;

/// <summary>
/// The cluster commands. <c>node</c> runs a worker (the crawl and host regions) until SIGTERM or Ctrl-C, then leaves
/// the cluster, handing its hosts and crawls off (exit 0); a node downed by the split-brain resolver exits 1.
/// <c>submit</c> joins as a client, submits the crawl (or, with <c>--job</c> and no URLs, attaches to it), follows its
/// results and prints them as a crawl on one machine does (text or --json, the summary, the exit codes); Ctrl-C
/// detaches and leaves the crawl running (exit 130), <c>--detach</c> submits and exits. <c>status</c> and <c>cancel</c>
/// ask about or end a job.
/// </summary>
internal static class ClusterCommand
{
    private const string SystemName = "crawler";

    public static Task<int> RunAsync(CommandLine line, Config config, IReadOnlyList<string> urls, CrawlerSettings settings,
        GuardedWriter stdout, TextWriter stderr, bool terminal) => line.Command switch
    {
        Command.Node => NodeAsync(line, config, stderr),
        Command.Submit => SubmitAsync(line, config, urls, settings, stdout, stderr, terminal),
        _ => StatusAsync(line, config, stdout, stderr),
    };

    private static async Task<int> NodeAsync(CommandLine line, Config config, TextWriter stderr)
    {
        if (line.JournalConnection is { } connection)
        {
            config = config.WithFallback(JournalConfig.For(connection, line.JournalProvider!));
        }

        var address = $"{line.Hostname ?? "127.0.0.1"}:{line.SamplePort}";
        if (PortTaken(line.Hostname ?? "127.0.0.1", line.SamplePort) is { } taken)
        {
            // DotNetty binds with SO_REUSEPORT: a second node on a taken port would start, unseen, beside the first.
            await stderr.WriteLineAsync($"crawler: node cannot listen on {address}: {taken}").ConfigureAwait(false);
            return CrawlerApp.ExitUsage;
        }

        using var interruption = new Interruption();
        ActorSystem system;
        try
        {
            system = ActorSystem.Create(SystemName, Overrides(line, worker: true).WithFallback(config).WithFallback(CrawlerCluster.Config));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await stderr.WriteLineAsync($"crawler: node cannot start on {address}: {Innermost(e).Message}").ConfigureAwait(false);
            return CrawlerApp.ExitUsage;
        }

        CrawlerCluster.StartWorker(system);
        system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new LedgerReporter(stderr)), "ledger-reporter"), typeof(ClusterCrawl.LedgerStarted));
        var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
        await stderr.WriteLineAsync($"node {self} joining {string.Join(", ", line.Seeds!)}; Ctrl-C or SIGTERM leaves the cluster").ConfigureAwait(false);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => stderr.WriteLine($"node {self} is up"));
        var leaving = false;
        interruption.Run(signal =>
        {
            leaving = true;
            _ = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        });
        await system.WhenTerminated.ConfigureAwait(false);
        if (leaving)
        {
            return CrawlerApp.ExitOk;
        }

        await stderr.WriteLineAsync($"crawler: node {self} was removed from the cluster (downed)").ConfigureAwait(false);
        return CrawlerApp.ExitFailures;
    }

    private static async Task<int> SubmitAsync(CommandLine line, Config config, IReadOnlyList<string> urls, CrawlerSettings settings,
        GuardedWriter stdout, TextWriter stderr, bool terminal)
    {
        using var interruption = new Interruption();
        var (system, region, clusterSettings) = await JoinAsync(line, config, stderr).ConfigureAwait(false);
        if (system is null)
        {
            return CrawlerApp.ExitUsage;
        }

        try
        {
            var mode = line.SubmitTitles ? CrawlMode.Titles : CrawlMode.Planets;
            var attach = line.Job is not null && line.Urls.Count == 0 && line.Files.Count == 0;
            var crawlId = line.Job ?? $"crawl-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
            int planets;
            if (attach)
            {
                var first = await ClusterCrawler.AskAsync<ClusterCrawl.Results>(region!, new ClusterCrawl.GetResults(crawlId, 0), clusterSettings!).ConfigureAwait(false);
                if (first is not { Known: true })
                {
                    await stderr.WriteLineAsync(first is null ? "crawler: the cluster did not answer" : $"crawler: the cluster has no job '{crawlId}'").ConfigureAwait(false);
                    return CrawlerApp.ExitUsage;
                }

                planets = first.Planets;
                mode = first.Mode; // the job's, for the output
            }
            else
            {
                var hocon = CrawlHocon.Of(config.GetConfig("crawler"));
                var accepted = await ClusterCrawler.SubmitAsync(region!, crawlId, mode, hocon, urls, clusterSettings!).ConfigureAwait(false);
                if (accepted is null || accepted.Refusal is not null)
                {
                    await stderr.WriteLineAsync(accepted is null
                        ? "crawler: the cluster did not accept the crawl in time"
                        : $"crawler: job '{crawlId}': {accepted.Refusal}; attach with submit --job {crawlId} and no URLs").ConfigureAwait(false);
                    return CrawlerApp.ExitUsage;
                }

                planets = accepted.Planets;
                if (!line.Quiet)
                {
                    await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"submitted job '{crawlId}': {planets} planets")).ConfigureAwait(false);
                }
            }

            if (line.Detach)
            {
                return CrawlerApp.ExitOk;
            }

            return await FollowAsync(system, region!, clusterSettings!, crawlId, planets, mode, line, settings, stdout, stderr, terminal, interruption)
                .ConfigureAwait(false);
        }
        finally
        {
            await LeaveAsync(system).ConfigureAwait(false);
        }
    }

    private static async Task<int> FollowAsync(ActorSystem system, IActorRef region, ClusterSettings clusterSettings, string crawlId, int planets,
        CrawlMode mode, CommandLine line, CrawlerSettings settings, GuardedWriter stdout, TextWriter stderr, bool terminal, Interruption interruption)
    {
        var progress = terminal && !Console.IsErrorRedirected && !line.Quiet;
        var (options, completion) = CrawlerProps.PrinterFor(settings with { StopSystemOnCompletion = false }, line.Json ? ResultFormat.Json : ResultFormat.Text,
            stdout, line.Quiet ? TextWriter.Null : stderr, line.TimelinePath, progress);
        var printer = system.ActorOf(CrawlerProps.Printer(options), "printer");
        printer.Tell(new Crawl.CrawlStarted(planets, mode) { CrawlId = crawlId });
        var seen = 0;
        using var detach = new CancellationTokenSource();
        interruption.Run(_ => detach.Cancel());
        try
        {
            await foreach (var page in ClusterCrawler.FollowAsync(region, crawlId, 0, clusterSettings, detach.Token).ConfigureAwait(false))
            {
                foreach (var result in page.Items)
                {
                    printer.Tell(result with { CrawlId = crawlId });
                }

                seen += page.Items.Length;
                if (page.Finished)
                {
                    printer.Tell(new Crawl.CrawlFinished(planets));
                    var summary = await completion.Task.ConfigureAwait(false);
                    return summary.AllOk ? CrawlerApp.ExitOk : CrawlerApp.ExitFailures;
                }
            }
        }
        catch (TimeoutException e)
        {
            await stderr.WriteLineAsync($"crawler: {e.Message}; job '{crawlId}' may go on: attach again with submit --job {crawlId}").ConfigureAwait(false);
            return CrawlerApp.ExitFailures;
        }

        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"detached from job '{crawlId}' at {seen} of {planets} results: it goes on; attach again with submit --job {crawlId}")).ConfigureAwait(false);
        return CrawlerApp.ExitInterrupted;
    }

    private static async Task<int> StatusAsync(CommandLine line, Config config, TextWriter stdout, TextWriter stderr)
    {
        var (system, region, clusterSettings) = await JoinAsync(line, config, stderr).ConfigureAwait(false);
        if (system is null)
        {
            return CrawlerApp.ExitUsage;
        }

        try
        {
            var crawlId = line.Job!;
            if (line.Command == Command.Cancel)
            {
                region!.Tell(new ClusterCrawl.Cancel(crawlId, "crawler cancel"));
            }

            ClusterCrawl.Results? page = null;
            var deadline = DateTime.UtcNow + clusterSettings!.ClientTimeout;
            do
            {
                page = await ClusterCrawler.AskAsync<ClusterCrawl.Results>(region!, new ClusterCrawl.GetResults(crawlId, int.MaxValue), clusterSettings).ConfigureAwait(false);
                if (line.Command != Command.Cancel || page is null || page.Finished || !page.Known)
                {
                    break;
                }

                await Task.Delay(clusterSettings.ResultsPollInterval).ConfigureAwait(false);
            }
            while (DateTime.UtcNow < deadline);

            if (page is not { Known: true })
            {
                await stderr.WriteLineAsync(page is null ? "crawler: the cluster did not answer" : $"crawler: the cluster has no job '{crawlId}'").ConfigureAwait(false);
                return CrawlerApp.ExitUsage;
            }

            await stdout.WriteAsync(line.Json
                ? JsonSerializer.Serialize(new { job = crawlId, planets = page.Planets, done = page.From, finished = page.Finished, ledger = page.Ledger }) + "\n"
                : string.Create(CultureInfo.InvariantCulture,
                    $"{crawlId} {page.From}/{page.Planets} done; {(page.Finished ? "finished" : "unfinished")}; ledger on {page.Ledger}\n")).ConfigureAwait(false);
            return CrawlerApp.ExitOk;
        }
        finally
        {
            await LeaveAsync(system).ConfigureAwait(false);
        }
    }

    /// <summary>Joins the cluster as a client, within crawler.cluster.client-timeout; null (said on stderr) when it cannot.</summary>
    private static async Task<(ActorSystem? System, IActorRef? Region, ClusterSettings? Settings)> JoinAsync(CommandLine line, Config config, TextWriter stderr)
    {
        ActorSystem system;
        try
        {
            system = ActorSystem.Create(SystemName, Overrides(line, worker: false).WithFallback(config).WithFallback(CrawlerCluster.Config));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await stderr.WriteLineAsync($"crawler: cannot start a cluster client: {Innermost(e).Message}").ConfigureAwait(false);
            return (null, null, null);
        }

        var settings = ClusterSettings.Create(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        if (await Task.WhenAny(up.Task, Task.Delay(settings.ClientTimeout)).ConfigureAwait(false) != up.Task)
        {
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"crawler: cannot join the cluster through {string.Join(", ", line.Seeds!)} within {settings.ClientTimeout.TotalSeconds:0} s")).ConfigureAwait(false);
            await system.Terminate().ConfigureAwait(false);
            return (null, null, null);
        }

        return (system, CrawlerCluster.StartClient(system), settings);
    }

    /// <summary>Leaves the cluster and waits until the leave is complete (bounded by the client timeout): a client that
    /// vanished while still exiting would stay unreachable and never downed, and hold up the cluster's convergence, so
    /// a crashed worker could not be removed and its shards would never move.</summary>
    private static async Task LeaveAsync(ActorSystem system)
    {
        var left = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await Task.WhenAny(left, Task.Delay(ClusterSettings.Create(system).ClientTimeout)).ConfigureAwait(false);
        await system.Terminate().ConfigureAwait(false);
    }

    private static Config Overrides(CommandLine line, bool worker) => new HoconOverrides()
        .Text("akka.remote.dot-netty.tcp.hostname", line.Hostname ?? "127.0.0.1")
        .Number("akka.remote.dot-netty.tcp.port", worker ? line.SamplePort : 0)
        .List("akka.cluster.seed-nodes", line.Seeds!.Select(seed => $"akka.tcp://{SystemName}@{seed}"))
        .List("akka.cluster.roles", [worker ? ClusterCrawl.WorkerRole : "client"])
        // A client's view of nodes coming and going is noise on its stderr (it says what matters itself).
        .Text("akka.loglevel", worker || line.Verbose ? null : "ERROR")
        .Switch("akka.remote.log-remote-lifecycle-events", worker || line.Verbose ? null : false)
        // A client's leave may take long on a busy cluster: it waits for it (see LeaveAsync) rather than vanish.
        .Duration("akka.coordinated-shutdown.phases.cluster-leave.timeout", worker ? null : TimeSpan.FromSeconds(30))
        .Duration("akka.coordinated-shutdown.phases.cluster-exiting.timeout", worker ? null : TimeSpan.FromSeconds(30))
        .ToConfig();

    /// <summary>Why <paramref name="host"/>:<paramref name="port"/> cannot be listened on, or null when it can.</summary>
    private static string? PortTaken(string host, int port)
    {
        if (port == 0)
        {
            return null;
        }

        try
        {
            var address = System.Net.IPAddress.TryParse(host, out var ip) ? ip : System.Net.Dns.GetHostAddresses(host)[0];
            using var socket = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            socket.Bind(new System.Net.IPEndPoint(address, port));
            return null;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IndexOutOfRangeException)
        {
            return e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse }
                ? "the port is in use"
                : e.Message;
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    /// <summary>Says on a node's stderr which crawls' ledgers it holds (where a crawl's state lives now).</summary>
    private sealed class LedgerReporter(TextWriter stderr) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is ClusterCrawl.LedgerStarted started)
            {
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"job '{started.CrawlId}': its ledger is on this node ({started.Done} of {started.Planets} planets done)"));
            }
        }
    }
}

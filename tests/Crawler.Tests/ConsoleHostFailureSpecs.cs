using System.Diagnostics;
using System.Text.Json;
using Crawler.SampleSite;
using Crawler.Testing;

namespace Crawler.Tests;

/// <summary>The console host when things go wrong: interruption, the crawl deadline, no network.</summary>
public sealed class ConsoleHostFailureSpecs : IAsyncLifetime
{
    private PlanetFarm _farm = null!;
    private LoopbackHttpServer _hang = null!;

    public async Task InitializeAsync()
    {
        _farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(2, TimeSpan.Zero));
        _hang = LoopbackHttpServer.Start(_ => ServerAction.Hang);
    }

    public async Task DisposeAsync()
    {
        await _hang.DisposeAsync();
        await _farm.DisposeAsync();
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Host_should_report_unfinished_planets_as_cancelled_print_the_summary_and_exit_130_when_interrupted(string signal)
    {
        var hanging = _hang.Url("/planet").ToString();
        var run = await CrawlerProcess.RunAndSignalAsync(["--json", "--timeout", "30", _farm.PlanetUrls[0], hanging],
            interruptWhen: line => line.Contains("\"ok\":true", StringComparison.Ordinal), signal);

        Assert.True(run.ExitCode == 130, run.ToString());
        var results = run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, results.Count);
        Assert.True(results.Single(r => r.GetProperty("planet").GetString() == _farm.PlanetUrls[0]).GetProperty("ok").GetBoolean());
        var cancelled = results.Single(r => r.GetProperty("planet").GetString() == hanging);
        Assert.Equal("cancelled", cancelled.GetProperty("error").GetString());
        Assert.Contains($"SIG{signal}", cancelled.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("2 planets: 1 ok, 1 failed (cancelled 1) in", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Demo_should_end_at_a_signal_like_a_crawl_and_exit_130(string signal)
    {
        // Unsignalled this demo takes about 15 s (the sequential run alone 9 s) and exits 0.
        var run = await CrawlerProcess.RunAndSignalAsync(["demo", "--json", "--planets", "3", "--delay-ms", "1500"],
            interruptWhen: line => line.Contains("\"planet\"", StringComparison.Ordinal), signal);

        Assert.True(run.ExitCode == 130, run.ToString());
        Assert.All(run.StdoutLines, line => JsonDocument.Parse(line));
    }

    [Fact]
    public async Task Demo_with_json_should_keep_stdout_to_json_lines()
    {
        var run = await CrawlerProcess.RunAsync(["demo", "--json", "--planets", "2", "--delay-ms", "10"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, run.StdoutLines.Count(line => JsonDocument.Parse(line).RootElement.GetProperty("ok").GetBoolean()));
        Assert.Contains("concurrent ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_should_end_planets_still_running_at_the_deadline_as_timeouts_and_exit_1()
    {
        var hanging = _hang.Url("/planet").ToString();
        var clock = Stopwatch.StartNew();
        var run = await CrawlerProcess.RunAsync(["--json", "--deadline", "1.5", "--timeout", "30", _farm.PlanetUrls[1], hanging]);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        var late = run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).Single(r => r.GetProperty("planet").GetString() == hanging);
        Assert.Equal(("timeout", "deadline"), (late.GetProperty("error").GetString(), late.GetProperty("phase").GetString()));
        Assert.Contains("2 planets: 1 ok, 1 failed (timeout 1) in", run.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Host_should_report_unreachable_when_there_is_no_network_at_all()
    {
        // A fresh network namespace has no interface up, not even loopback: the seed's "no network".
        using (var probe = Process.Start(new ProcessStartInfo("unshare", ["-n", "true"]) { RedirectStandardError = true }))
        {
            await probe!.WaitForExitAsync();
            Skip.If(probe.ExitCode != 0, "this machine does not allow 'unshare -n' (a new network namespace)");
        }

        var run = await CrawlerProcess.RunUnderAsync(["unshare", "-n"], ["--json", "http://127.0.0.1:8080/planet", "http://planet.example.org/"]);
        Assert.True(run.ExitCode == 1, run.ToString());
        var results = run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, results.Count);

        // An address and a name alike: the name lookup fails for want of a network, which is unreachable, not dns.
        Assert.All(results, result => Assert.Equal(("unreachable", "planet", 1), (result.GetProperty("error").GetString(),
            result.GetProperty("stage").GetString(), result.GetProperty("attempts").GetInt32())));
    }

    [Fact]
    public async Task Host_should_say_how_many_planets_of_a_streamed_file_were_never_started_when_interrupted()
    {
        var file = Path.GetTempFileName();
        var config = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, [_farm.PlanetUrls[0], .. Enumerable.Range(0, 9).Select(i => _hang.Url($"/{i}/planet").ToString())]);
        await File.WriteAllTextAsync(config, "crawler.max-planets-in-flight = 2\ncrawler.robots.enabled = off\n");
        try
        {
            var run = await CrawlerProcess.RunAndSignalAsync(["--json", "--timeout", "30", "--config", config, "-f", file],
                interruptWhen: line => line.Contains("\"ok\":true", StringComparison.Ordinal), "INT");

            Assert.True(run.ExitCode == 130, run.ToString());
            var reported = run.StdoutLines.Length;
            var line = run.Stderr.Split('\n').Single(l => l.Contains("planets listed were never started", StringComparison.Ordinal));
            var unstarted = int.Parse(line.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(10, reported + unstarted); // every line is either a result or counted as never started
            Assert.True(unstarted > 0, run.ToString());
        }
        finally
        {
            File.Delete(file);
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Host_should_report_a_server_that_resets_as_it_accepts_as_reset_without_Akka_IO_stack_traces()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        // A tight, blocking accept loop on its own thread, so the RST follows the handshake as closely as it can.
        var resetting = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    using var accepted = listener.Server.Accept();
                    accepted.LingerState = new System.Net.Sockets.LingerOption(true, 0);
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
            }
        }) { IsBackground = true };
        resetting.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/";
        try
        {
            var run = await CrawlerProcess.RunAsync(["titles", "--json", url]);

            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Equal("reset", JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement.GetProperty("error").GetString());
            Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal); // Akka.IO's errors stay out of the terminal
            Assert.DoesNotContain(" ERR]", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
            resetting.Join(TimeSpan.FromSeconds(5));
        }
    }

    [Theory]
    [InlineData(">/dev/full")]
    [InlineData(">&-")]
    public async Task Host_should_say_in_one_line_that_its_results_cannot_be_written_and_exit_1(string redirect)
    {
        var run = await CrawlerProcess.RunUnderAsync(["sh", "-c", $"exec \"$0\" \"$@\" {redirect}"], ["titles", _farm.PlanetUrls[0]]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("crawler: cannot write the results: ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_should_crawl_and_print_its_results_with_stderr_closed()
    {
        var run = await CrawlerProcess.RunUnderAsync(["sh", "-c", "exec \"$0\" \"$@\" 2>&-"], ["--json", _farm.PlanetUrls[0]]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Host_should_stop_the_crawl_at_once_and_quietly_when_the_reader_of_its_pipe_goes_away()
    {
        // 20,000 titles; head takes the first line and exits: the rest is cancelled, not crawled for nobody.
        var run = await CrawlerProcess.RunUnderAsync(["bash", "-c", "\"$0\" \"$@\" | head -1; exit ${PIPESTATUS[0]}"],
            ["titles", "--repeat", "20000", _farm.PlanetUrls[0]]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Single(run.StdoutLines);
        Assert.Contains("(cancelled ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("crawler: cannot write", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_should_end_quietly_when_the_reader_of_its_pipe_goes_away_before_its_last_line()
    {
        var run = await CrawlerProcess.RunUnderAsync(["bash", "-c", "\"$0\" \"$@\" | head -1; exit ${PIPESTATUS[0]}"],
            ["demo", "--planets", "2", "--delay-ms", "10"]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_should_keep_its_connections_under_the_open_file_limit_and_say_so()
    {
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(400, TimeSpan.FromMilliseconds(200)));
        var urls = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(urls, farm.PlanetUrls.Select(u => u.ToString()));
            // 400 planets at once would need 400 sockets; the process may open 300 files.
            var run = await CrawlerProcess.RunUnderAsync(["prlimit", "--nofile=300:300"],
                ["--file", urls, "--max-connections-per-host", "0", "--ignore-robots"]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("400 planets: 400 ok, 0 failed", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("This process may open 300 files (ulimit -n): at most 172 connections at once", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(urls);
        }
    }
}

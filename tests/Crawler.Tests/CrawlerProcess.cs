using System.Diagnostics;

namespace Crawler.Tests;

/// <summary>What one run of the crawler executable printed and returned.</summary>
public sealed record CrawlerRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The highest resident set size seen (VmHWM from /proc, sampled every 50 ms), in bytes; 0 unless asked.</summary>
    public long PeakRssBytes { get; init; }

    public string[] StdoutLines => Stdout.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the built <c>crawler.dll</c> (copied beside the tests) as a child process, bounded in time.</summary>
public static class CrawlerProcess
{
    public static Task<CrawlerRun> RunAsync(IEnumerable<string> args, string? stdin = null, int timeoutSeconds = 60) =>
        RunAsync(args, stdin, timeoutSeconds, prefix: [], interruptWhen: null, signal: null);

    /// <summary>Runs the crawler, and sends it <paramref name="signal"/> (kill -SIGNAL) as soon as a line of its
    /// stdout satisfies <paramref name="interruptWhen"/>.</summary>
    public static Task<CrawlerRun> RunAndSignalAsync(IEnumerable<string> args, Func<string, bool> interruptWhen, string signal) =>
        RunAsync(args, null, 60, prefix: [], interruptWhen, signal);

    /// <summary>Runs the crawler and samples its peak resident set size (<see cref="CrawlerRun.PeakRssBytes"/>).</summary>
    public static Task<CrawlerRun> RunMeasuredAsync(IEnumerable<string> args, int timeoutSeconds = 120) =>
        RunAsync(args, null, timeoutSeconds, prefix: [], interruptWhen: null, signal: null, measure: true);

    /// <summary>Runs the crawler with <paramref name="environment"/> added to its environment (the proxy variables
    /// are cleared for every run, so that a machine's own proxy never reroutes a spec's loopback traffic).</summary>
    public static Task<CrawlerRun> RunWithEnvironmentAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment) =>
        RunAsync(args, null, 60, prefix: [], interruptWhen: null, signal: null, environment: environment);

    /// <summary>Runs the crawler under another command (e.g. <c>unshare -n</c>).</summary>
    public static Task<CrawlerRun> RunUnderAsync(IReadOnlyList<string> prefix, IEnumerable<string> args) =>
        RunAsync(args, null, 60, prefix, interruptWhen: null, signal: null);

    private static async Task<CrawlerRun> RunAsync(IEnumerable<string> args, string? stdin, int timeoutSeconds,
        IReadOnlyList<string> prefix, Func<string, bool>? interruptWhen, string? signal, bool measure = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(prefix.Count > 0 ? prefix[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var name in new[] { "http_proxy", "https_proxy", "all_proxy", "no_proxy" })
        {
            start.Environment.Remove(name);
            start.Environment.Remove(name.ToUpperInvariant());
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var word in prefix.Skip(1).Concat(prefix.Count > 0 ? ["dotnet"] : []))
        {
            start.ArgumentList.Add(word);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "crawler.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = interruptWhen is null ? process.StandardOutput.ReadToEndAsync() : ReadAndSignal(process, interruptWhen, signal!);
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var peak = measure ? SamplePeakRss(process) : Task.FromResult(0L);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"crawler {string.Join(' ', start.ArgumentList.Skip(1))} did not finish in {timeoutSeconds} s\n" +
                $"--- stdout\n{await stdout}\n--- stderr\n{await stderr}");
        }

        return new CrawlerRun(process.ExitCode, await stdout, await stderr) { PeakRssBytes = await peak };
    }

    private static async Task<long> SamplePeakRss(Process process)
    {
        long peak = 0;
        var status = $"/proc/{process.Id}/status";
        while (!process.HasExited)
        {
            try
            {
                var line = (await File.ReadAllLinesAsync(status)).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null)
                {
                    peak = Math.Max(peak, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024);
                }
            }
            catch (IOException)
            {
                break; // it exited between the check and the read
            }

            await Task.Delay(50);
        }

        return peak;
    }

    private static async Task<string> ReadAndSignal(Process process, Func<string, bool> interruptWhen, string signal)
    {
        var text = new System.Text.StringBuilder();
        var signalled = false;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            text.Append(line).Append('\n');
            if (!signalled && interruptWhen(line))
            {
                signalled = true;
                using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
            }
        }

        return text.ToString();
    }
}

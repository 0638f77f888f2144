using System.Diagnostics;

namespace Crawler.Tests;

/// <summary>What one run of the crawler executable printed and returned.</summary>
public sealed record CrawlerRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the built <c>crawler.dll</c> (copied beside the tests) as a child process, bounded in time.</summary>
public static class CrawlerProcess
{
    public static async Task<CrawlerRun> RunAsync(IEnumerable<string> args, string? stdin = null, int timeoutSeconds = 60)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "crawler.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"crawler {string.Join(' ', start.ArgumentList.Skip(1))} did not finish in {timeoutSeconds} s");
        }

        return new CrawlerRun(process.ExitCode, await stdout, await stderr);
    }
}

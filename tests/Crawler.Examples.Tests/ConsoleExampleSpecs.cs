using System.Diagnostics;
using Crawler.SampleSite;

namespace Crawler.Examples.Tests;

/// <summary>The console example end to end, as a process, against the sample site.</summary>
public sealed class ConsoleExampleSpecs
{
    /// <summary>The example's own build output: bin/CONFIGURATION/TFM beside this test project's.</summary>
    private static string ExampleDll
    {
        get
        {
            var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = tfm.Parent!;
            var root = configuration.Parent!.Parent!.Parent!.Parent!; // tfm <- configuration <- bin <- project <- tests <- root
            return Path.Combine(root.FullName, "examples", "Crawler.Examples.Console", "bin", configuration.Name, tfm.Name,
                "Crawler.Examples.Console.dll");
        }
    }

    [Fact]
    public async Task The_console_example_should_crawl_the_planets_three_ways_and_exit_0()
    {
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(3, TimeSpan.FromMilliseconds(50)));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(ExampleDll);
        foreach (var planet in farm.PlanetUrls)
        {
            start.ArgumentList.Add(planet);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{await stderr}");
        Assert.Contains("task:   3 of 3 ok", output, StringComparison.Ordinal);
        Assert.Contains("stream: 3 titles", output, StringComparison.Ordinal);
        Assert.Contains("actor:  3 of 3 ok", output, StringComparison.Ordinal);
        Assert.Equal(3, output.Split('\n').Count(l => l.StartsWith("actor:  result for planet", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_console_example_without_urls_should_say_how_to_use_it_and_exit_2()
    {
        var start = new ProcessStartInfo("dotnet", [ExampleDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(2, process.ExitCode);
        Assert.StartsWith("usage:", stderr, StringComparison.Ordinal);
    }
}

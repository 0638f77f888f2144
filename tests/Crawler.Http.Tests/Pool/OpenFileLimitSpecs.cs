using Crawler.Http.Pool;

namespace Crawler.Http.Tests.Pool;

/// <summary>The connection cap below the process's open-file limit.</summary>
public sealed class OpenFileLimitSpecs
{
    [Fact]
    public void The_connection_cap_should_stay_below_the_open_file_limit()
    {
        Assert.Equal((172, true), (OpenFileLimit.ConnectionCap(10_000, 300, out var lowered), lowered));
        Assert.Equal((172, false), (OpenFileLimit.ConnectionCap(0, 300, out lowered), lowered));
        Assert.Equal((50, false), (OpenFileLimit.ConnectionCap(50, 300, out lowered), lowered));
        Assert.Equal((10_000, false), (OpenFileLimit.ConnectionCap(10_000, null, out lowered), lowered));
        Assert.Equal((1, true), (OpenFileLimit.ConnectionCap(10, 20, out lowered), lowered));
    }

    [Fact]
    public void The_limit_should_be_the_processes_soft_limit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.Equal(soft == "unlimited" ? null : long.Parse(soft, System.Globalization.CultureInfo.InvariantCulture), OpenFileLimit.Current());
    }
}

using Crawler.Fuzz;

namespace Crawler.Core.Tests.Fuzzing;

/// <summary>
/// Every input the fuzzers start from (<c>fuzz/corpus</c>) and every crash they found (<c>fuzz/findings</c>, kept
/// after the fix) goes through its target in the ordinary test run: a finding that comes back fails here, with the
/// target's own invariants, not only under AFL++.
/// </summary>
public sealed class FuzzCorpusSpecs
{
    public static TheoryData<string> Targets() => [.. Program.Targets.Keys];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_seed_and_every_finding_should_pass_its_target(string target)
    {
        var root = Repository();
        var files = new[] { "corpus", "findings" }
            .Select(folder => Path.Combine(root, "fuzz", folder, target))
            .Where(Directory.Exists)
            .SelectMany(Directory.GetFiles)
            .ToList();
        Assert.NotEmpty(files);
        var failures = new List<string>();
        foreach (var file in files)
        {
            try
            {
                Program.Targets[target](File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failures.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Crawler.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("the repository (Crawler.sln) above " + AppContext.BaseDirectory);
    }
}

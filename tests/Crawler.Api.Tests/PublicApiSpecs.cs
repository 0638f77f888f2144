using System.Reflection;
using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace Crawler.Api.Tests;

/// <summary>
/// The public API of every package, compared with its approved listing (<c>Approved/{assembly}.txt</c>). A change to
/// the API fails here until the listing is updated on purpose: the spec writes what it found next to the approved file
/// as <c>{assembly}.received.txt</c>; review the difference, and copy it over the approved file (then rebuild) if it is meant.
/// </summary>
public sealed class PublicApiSpecs
{
    public static TheoryData<string> Packages => ["Crawler.Http", "Crawler.Core", "Crawler.Hosting", "Crawler.TestKit"];

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_public_api_should_be_the_approved_one(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        var found = Normalize(assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute",
                "System.Runtime.CompilerServices.InternalsVisibleToAttribute"],
        }));
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "Approved", assemblyName + ".txt");
        var approved = File.Exists(approvedPath) ? Normalize(File.ReadAllText(approvedPath)) : string.Empty;
        var received = Path.Combine(SourceDirectory(), "Approved", assemblyName + ".received.txt");
        if (found == approved)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, found);
        Assert.Fail($"The public API of {assemblyName} changed: compare {received} with its approved listing, and copy it over if the change is meant");
    }

    private static string Normalize(string api) => api.ReplaceLineEndings("\n").TrimEnd() + "\n";

    private static string SourceDirectory([CallerFilePath] string path = "") =>
        Path.GetDirectoryName(path) is { } directory && Directory.Exists(directory) ? directory : AppContext.BaseDirectory;
}

using Crawler.Core;

namespace Crawler;

/// <summary>Collects the URLs to crawl from the command line, <c>--file</c> and the configuration.</summary>
internal static class Inputs
{
    public static async Task<IReadOnlyList<string>> ReadUrlsAsync(CommandLine line, CrawlerSettings settings)
    {
        var urls = new List<string>(line.Urls);
        if (line.File is { } file)
        {
            var fromFile = await ReadFileAsync(file).ConfigureAwait(false);
            if (fromFile.Count == 0)
            {
                throw new UsageException($"--file '{file}' holds no URL");
            }

            urls.AddRange(fromFile);
        }

        if (urls.Count == 0)
        {
            if (line.Command == Command.Titles)
            {
                throw new UsageException("titles needs at least one URL");
            }

            urls.AddRange(settings.Planets);
            if (urls.Count == 0)
            {
                throw new UsageException("no URL given and crawler.planets is empty");
            }
        }

        return line.Repeat == 1 ? urls : [.. urls.SelectMany(url => Enumerable.Repeat(url, line.Repeat))];
    }

    private static async Task<List<string>> ReadFileAsync(string path)
    {
        try
        {
            using var reader = path == "-" ? new StreamReader(Console.OpenStandardInput()) : new StreamReader(path);
            var urls = new List<string>();
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } raw)
            {
                var text = raw.Trim();
                if (text.Length > 0 && !text.StartsWith('#'))
                {
                    urls.Add(text);
                }
            }

            return urls;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"cannot read --file '{path}': {e.Message}");
        }
    }
}

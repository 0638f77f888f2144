using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Fetching;

namespace Crawler;

/// <summary>Collects the URLs to crawl from the command line, <c>--file</c> (read lazily, as a stream) and the
/// configuration.</summary>
internal static class Inputs
{
    /// <summary>The URLs of the command line, or the configured planets when there are none and no file.</summary>
    public static IReadOnlyList<string> FromCommandLine(CommandLine line, CrawlerSettings settings)
    {
        var urls = new List<string>(line.Urls);
        if (urls.Count == 0 && line.Files.Count == 0)
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

    /// <summary>What a crawl without URLs crawls (said on stderr): the configured planets, and whether they are on the
    /// Internet (any that is not on a loopback host), with the way to the local sample site.</summary>
    public static string DefaultPlanetsNotice(IReadOnlyList<string> planets)
    {
        var remote = AnyOnTheInternet(planets);
        return $"crawler: no URL given: crawling the {planets.Count} planet{(planets.Count == 1 ? "" : "s")} of crawler.planets" +
            (remote ? ", on the Internet" : "") + $" ({string.Join(", ", planets)}); give URLs or -f FILE, or run 'crawler demo' for the local sample site";
    }

    /// <summary>True when any of <paramref name="urls"/> is not on a loopback host (or is not a URL at all).</summary>
    public static bool AnyOnTheInternet(IEnumerable<string> urls) =>
        urls.Any(url => !Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.IsLoopback);

    /// <summary>
    /// The URLs of <c>--file</c> (<c>-</c> = stdin), one a line, blank and <c>#</c> lines skipped, read lazily: a
    /// million lines are never in memory at once. The first URL is read now, so that an unreadable or empty file
    /// is bad usage before anything starts.
    /// </summary>
    public static IEnumerable<string> OpenFile(string path, int repeat) => OpenFile(path, repeat, out _, 0);

    /// <summary>The URLs of every file of <paramref name="paths"/>, in order, each opened as
    /// <see cref="OpenFile(string, int, out IReadOnlyList{string}?, int, int)"/> does (so every file is checked before the
    /// crawl starts); <paramref name="all"/> holds them all when every file is small.</summary>
    public static IEnumerable<string> OpenFiles(IReadOnlyList<string> paths, int repeat, out IReadOnlyList<string>? all, int small,
        int maxLength = UrlPolicy.DefaultMaxLength)
    {
        var parts = new List<IEnumerable<string>>();
        var whole = new List<string>();
        var allSmall = true;
        foreach (var path in paths)
        {
            parts.Add(OpenFile(path, repeat, out var read, small, maxLength));
            if (read is null)
            {
                allSmall = false;
            }
            else
            {
                whole.AddRange(read);
            }
        }

        all = allSmall ? whole : null;
        return parts.Count == 1 ? parts[0] : parts.SelectMany(part => part);
    }

    /// <summary>As <see cref="OpenFile(string, int)"/>, and when the whole file holds at most <paramref name="small"/>
    /// URLs, they are read now into <paramref name="all"/> (a small file needs no stream, whose start costs more than
    /// its crawl).</summary>
    public static IEnumerable<string> OpenFile(string path, int repeat, out IReadOnlyList<string>? all, int small,
        int maxLength = UrlPolicy.DefaultMaxLength)
    {
        all = null;
        if (Directory.Exists(path))
        {
            throw new UsageException($"cannot read --file '{path}': it is a directory");
        }

        TextReader reader;
        try
        {
            reader = path == "-" ? Console.In : new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"cannot read --file '{path}': {e.Message}");
        }

        var lines = Urls(reader, path, maxLength);
        var enumerator = lines.GetEnumerator();
        if (!enumerator.MoveNext())
        {
            enumerator.Dispose();
            throw new UsageException($"--file '{path}' holds no URL");
        }

        var head = new List<string> { enumerator.Current };
        while (head.Count <= small && enumerator.MoveNext())
        {
            head.Add(enumerator.Current);
        }

        if (head.Count <= small)
        {
            enumerator.Dispose();
            all = [.. Repeat(head, repeat)];
            return all;
        }

        return Repeat(head.Concat(Rest(enumerator)), repeat);
    }

    /// <summary>How many URLs the files of <paramref name="paths"/> list (read again from the start; stdin, <c>-</c>,
    /// counts nothing, and a file that cannot be read any more counts what was read of it).</summary>
    public static int CountUrls(IReadOnlyList<string> paths, int maxLength)
    {
        var count = 0;
        foreach (var path in paths.Where(p => p != "-"))
        {
            try
            {
                using var reader = new StreamReader(path);
                count += Urls(reader, path, maxLength).Count();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or UsageException)
            {
            }
        }

        return count;
    }

    /// <summary>What is left of an enumeration already begun (its current element already taken).</summary>
    private static IEnumerable<string> Rest(IEnumerator<string> started)
    {
        using (started)
        {
            while (started.MoveNext())
            {
                yield return started.Current;
            }
        }
    }

    private static IEnumerable<string> Repeat(IEnumerable<string> urls, int repeat) =>
        repeat == 1 ? urls : urls.SelectMany(url => Enumerable.Repeat(url, repeat));

    /// <summary>One line of <paramref name="reader"/> (null at the end), of which at most <paramref name="maxLength"/> + 1
    /// characters are kept: a longer line is dropped past that (it is too long to be a URL, and becomes a
    /// <c>bad-url</c> result), so a file of one 100 MB line never takes 100 MB.</summary>
    internal static string? ReadLine(TextReader reader, int maxLength) => ReadLine(reader, maxLength, new System.Text.StringBuilder());

    private static string? ReadLine(TextReader reader, int maxLength, System.Text.StringBuilder line)
    {
        line.Clear();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            if (line.Length <= maxLength)
            {
                line.Append((char)c);
            }
        }

        return line.Length == 0 ? null : line.ToString().TrimEnd('\r');
    }

    private static IEnumerable<string> Urls(TextReader reader, string path, int maxLength)
    {
        var line = new System.Text.StringBuilder(); // one for every line of the file
        using (reader == Console.In ? null : reader)
        {
            while (true)
            {
                string? raw;
                try
                {
                    raw = ReadLine(reader, maxLength, line);
                }
                catch (IOException e)
                {
                    throw new UsageException($"cannot read --file '{path}': {e.Message}");
                }

                if (raw is null)
                {
                    yield break;
                }

                var text = raw.Trim();
                if (text.Length > 0 && !text.StartsWith('#'))
                {
                    yield return text;
                }
            }
        }
    }
}

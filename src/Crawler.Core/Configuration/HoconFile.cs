using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Crawler.Core.Configuration;

/// <summary>
/// Reads a HOCON file strictly, where Akka's parser is lenient: binary content, an unbalanced brace or bracket, an
/// <c>include</c> of a file that is not there and a <c>crawler.*</c> key that is not a setting are each an error
/// naming the file and the line (and, for a misspelt key, the nearest setting), instead of a file applied up to the
/// error, an exception from deep inside the parser, or a key silently ignored. Includes are resolved relative to the
/// including file. Pure but for reading the files.
/// </summary>
internal static class HoconFile
{
    /// <summary>Reads and checks <paramref name="path"/>.</summary>
    /// <exception cref="ConfigurationException">The file is not valid HOCON, or names a key that is not a setting:
    /// the message starts with <c>FILE:LINE:</c>.</exception>
    /// <exception cref="IOException">It cannot be read (and the other exceptions of <see cref="File.ReadAllText(string)"/>).</exception>
    public static Config Load(string path)
    {
        var config = Parse(path, File.ReadAllText(path), depth: 0);
        CheckCrawlerKeys(config, path, File.ReadAllLines(path));
        return config;
    }

    /// <summary>Checks the text of <paramref name="path"/> and parses it, with its includes.</summary>
    internal static Config Parse(string path, string text, int depth = 0)
    {
        CheckText(path, text);
        try
        {
            return ConfigurationFactory.ParseString(text, include => Include(path, include, depth));
        }
        catch (ConfigurationException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"{path}: not valid HOCON: {e.Message.Split('\n')[0].Trim()}", e);
        }
    }

    /// <summary>Binary content, and braces and brackets that do not balance (outside strings and comments).</summary>
    internal static void CheckText(string path, string text)
    {
        var line = 1;
        var open = new Stack<(char Bracket, int Line)>();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                continue;
            }

            if (char.IsControl(c) && c is not ('\t' or '\r'))
            {
                throw new ConfigurationException($"{path}:{line}: binary content (the character 0x{(int)c:x2}): not a HOCON file");
            }

            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n')
                {
                    i++;
                }
            }
            else if (c == '"')
            {
                i = SkipString(path, text, i, ref line);
            }
            else if (c is '{' or '[')
            {
                open.Push((c, line));
            }
            else if (c is '}' or ']')
            {
                var expected = c == '}' ? '{' : '[';
                if (open.Count == 0 || open.Peek().Bracket != expected)
                {
                    throw new ConfigurationException($"{path}:{line}: '{c}' closes nothing");
                }

                open.Pop();
            }
        }

        if (open.TryPop(out var unclosed))
        {
            throw new ConfigurationException($"{path}:{unclosed.Line}: '{unclosed.Bracket}' is never closed");
        }
    }

    /// <summary>Every key under <c>crawler</c> must be a setting of reference.conf.</summary>
    internal static void CheckCrawlerKeys(Config config, string path, IReadOnlyList<string> lines)
    {
        if (!config.HasPath("crawler"))
        {
            return;
        }

        CheckSections(config, CrawlerSettings.DefaultConfig(), "crawler", path, lines);

        var reference = CrawlerSettings.DefaultConfig().GetConfig("crawler");
        var known = PerCrawlHocon.Leaves(reference.Root, string.Empty).ToList();
        foreach (var key in PerCrawlHocon.Leaves(config.GetConfig("crawler").Root, string.Empty))
        {
            if (reference.HasPath(key))
            {
                continue;
            }

            var name = key[(key.LastIndexOf('.') + 1)..];
            var at = lines.Select((text, i) => (text, i)).FirstOrDefault(l => l.text.Contains(name, StringComparison.Ordinal)).i + 1;
            var nearest = known.MinBy(k => Distance(k, key));
            var hint = nearest is not null && Distance(nearest, key) <= Math.Max(2, key.Length / 4) ? $" (did you mean crawler.{nearest}?)" : string.Empty;
            throw new ConfigurationException($"{path}:{at}: crawler.{key} is not a crawler setting{hint}");
        }
    }

    /// <summary>A section of the settings (<c>crawler</c>, <c>crawler.http</c>, ...) that the file sets to a value: Akka's
    /// merge with the defaults would throw a NullReferenceException from deep inside (found by fuzzing).</summary>
    private static void CheckSections(Config config, Config reference, string key, string path, IReadOnlyList<string> lines)
    {
        if (!config.HasPath(key))
        {
            return;
        }

        if (!config.GetValue(key).IsObject())
        {
            var name = key[(key.LastIndexOf('.') + 1)..];
            var at = lines.Select((text, i) => (text, i)).FirstOrDefault(l => l.text.Contains(name, StringComparison.Ordinal)).i + 1;
            throw new ConfigurationException($"{path}:{at}: {key} is a section of settings ({key} {{ ... }}), not a value");
        }

        foreach (var child in reference.GetConfig(key).Root.GetObject().Items.Where(i => i.Value.IsObject()))
        {
            CheckSections(config, reference, $"{key}.{child.Key}", path, lines); // the settings' own section names need no quotes
        }
    }

    /// <summary>The edit distance of two keys (Levenshtein).</summary>
    internal static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static int SkipString(string path, string text, int start, ref int line)
    {
        if (text.AsSpan(start).StartsWith("\"\"\""))
        {
            var end = text.IndexOf("\"\"\"", start + 3, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new ConfigurationException($"{path}:{line}: a \"\"\" string is never closed");
            }

            line += text.AsSpan(start, end - start).Count('\n');
            return end + 2;
        }

        for (var i = start + 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\':
                    i++;
                    break;
                case '"':
                    return i;
                case '\n':
                    throw new ConfigurationException($"{path}:{line}: a quoted string is never closed");
            }
        }

        throw new ConfigurationException($"{path}:{line}: a quoted string is never closed");
    }

    private static HoconRoot Include(string including, string name, int depth)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(including)) ?? ".";
        var target = Path.IsPathRooted(name) ? name : Path.Combine(directory, name);
        var line = File.ReadLines(including).TakeWhile(l => !l.Contains(name, StringComparison.Ordinal)).Count() + 1;
        if (depth >= 8)
        {
            throw new ConfigurationException($"{including}:{line}: include \"{name}\": includes nest deeper than 8 (a loop?)");
        }

        if (!File.Exists(target))
        {
            throw new ConfigurationException($"{including}:{line}: include \"{name}\": no such file ({target})");
        }

        return Parse(target, File.ReadAllText(target), depth + 1).Root is { } root ? new HoconRoot(root) : new HoconRoot(new HoconValue());
    }
}

using System.Globalization;
using System.Text;
using Akka.Configuration;
using Crawler.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace Crawler.Hosting;

/// <summary>Turns a configuration section of <c>crawler.*</c> settings into HOCON under <c>crawler</c>: PascalCase
/// names become kebab-case (<c>MaxConnectionsPerHost</c> is <c>max-connections-per-host</c>), sections become objects,
/// sections whose keys are 0, 1, ... become lists, and values are strings, which HOCON reads as numbers, booleans or
/// durations where the key wants one.</summary>
internal static class ConfigurationHocon
{
    public static Config FromSection(IConfiguration section)
    {
        var hocon = new HoconOverrides();
        Write(section, ["crawler"], hocon); // a missing section changes nothing
        return hocon.ToConfig();
    }

    /// <summary><c>ConnectTimeout</c> to <c>connect-timeout</c>; names already in kebab-case stay as they are.</summary>
    public static string Kebab(string name)
    {
        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previous = i > 0 ? name[i - 1] : '-';
                var next = i + 1 < name.Length ? name[i + 1] : '-';
                if (i > 0 && previous != '-' && (char.IsLower(previous) || char.IsDigit(previous) || char.IsLower(next)))
                {
                    result.Append('-');
                }

                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    /// <summary>Each value under <paramref name="node"/> at its kebab-case path; a section whose keys are 0, 1, ... is a
    /// list.</summary>
    private static void Write(IConfiguration node, List<string> path, HoconOverrides hocon)
    {
        foreach (var child in node.GetChildren())
        {
            List<string> at = [.. path, Kebab(child.Key)];
            var items = child.GetChildren().ToList();
            if (items.Count > 0 && items.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                hocon.List(HoconOverrides.Path(at), items.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(c => c.Value ?? string.Empty));
            }
            else if (items.Count > 0)
            {
                Write(child, at, hocon);
            }
            else
            {
                hocon.Text(HoconOverrides.Path(at), child.Value ?? string.Empty);
            }
        }
    }
}

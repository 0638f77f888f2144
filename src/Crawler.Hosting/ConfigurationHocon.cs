using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Akka.Configuration;
using Microsoft.Extensions.Configuration;

namespace Crawler.Hosting;

/// <summary>Turns a configuration section of <c>crawler.*</c> settings into HOCON under <c>crawler</c>: PascalCase
/// names become kebab-case (<c>MaxConnectionsPerHost</c> is <c>max-connections-per-host</c>), sections become objects,
/// sections whose keys are 0, 1, ... become lists, and values are strings, which HOCON reads as numbers, booleans or
/// durations where the key wants one.</summary>
internal static class ConfigurationHocon
{
    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Config FromSection(IConfiguration section)
    {
        if (!section.GetChildren().Any())
        {
            return ConfigurationFactory.Empty; // a missing section changes nothing
        }

        var text = new StringBuilder("crawler ");
        Write(section, text);
        return ConfigurationFactory.ParseString(text.ToString());
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

    private static void Write(IConfiguration node, StringBuilder text)
    {
        var children = node.GetChildren().ToList();
        if (children.Count > 0 && children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            text.Append('[');
            var first = true;
            foreach (var child in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
            {
                text.Append(first ? string.Empty : ", ");
                first = false;
                Write(child, text);
            }

            text.Append(']');
            return;
        }

        if (children.Count > 0)
        {
            text.Append("{\n");
            foreach (var child in children)
            {
                text.Append(Quote(Kebab(child.Key))).Append(" = ");
                Write(child, text);
                text.Append('\n');
            }

            text.Append('}');
            return;
        }

        text.Append(node is IConfigurationSection { Value: { } value } ? Quote(value) : "null");
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, QuoteOptions);
}

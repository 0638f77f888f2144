using System.Collections.Immutable;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Crawler.Core;
using Crawler.Journal;

namespace Crawler.Cluster;

/// <summary>
/// Writes every <see cref="IClusterCrawlMessage"/> as JSON under a stable manifest (renaming a class never breaks a
/// journal or a rolling upgrade): results and timings through the journal's rows (fixed field names, kinds and
/// phases by their contract names), enums as kebab-case names. Bound in <c>cluster.conf</c>.
/// </summary>
public sealed class ClusterSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false), new ResultConverter(), new TimingConverter() },
    };

    private static readonly ImmutableDictionary<string, Type> Types = new Dictionary<string, Type>
    {
        ["submit"] = typeof(ClusterCrawl.Submit),
        ["accepted"] = typeof(ClusterCrawl.Accepted),
        ["step"] = typeof(ClusterCrawl.FetchStep),
        ["step-done"] = typeof(ClusterCrawl.StepDone),
        ["get-results"] = typeof(ClusterCrawl.GetResults),
        ["results"] = typeof(ClusterCrawl.Results),
        ["cancel"] = typeof(ClusterCrawl.Cancel),
        ["add-planets"] = typeof(ClusterCrawl.AddPlanets),
        ["step-moved"] = typeof(ClusterCrawl.StepMoved),
        ["redirected"] = typeof(ClusterCrawl.Redirected),
        ["drop-crawl"] = typeof(ClusterCrawl.DropCrawl),
        ["planets-added"] = typeof(ClusterCrawl.PlanetsAdded),
        ["submitted"] = typeof(ClusterCrawl.Submitted),
        ["article-found"] = typeof(ClusterCrawl.ArticleFound),
        ["finished"] = typeof(ClusterCrawl.Finished),
        ["drain"] = typeof(HostDesk.Drain),
    }.ToImmutableDictionary();

    private static readonly ImmutableDictionary<Type, string> Manifests = Types.ToImmutableDictionary(entry => entry.Value, entry => entry.Key);

    /// <summary>The manifests, by type (the names on the wire and on disk).</summary>
    public static IReadOnlyDictionary<string, Type> ManifestTypes => Types;

    /// <summary>Ours: 7302 (Akka keeps 0–40 for its own; the journal's is 7301).</summary>
    public override int Identifier => 7302;

    /// <inheritdoc />
    public override string Manifest(object o) =>
        o is not null && Manifests.TryGetValue(o.GetType(), out var manifest) ? manifest : throw new ArgumentException($"{o?.GetType()} is not a cluster crawl message", nameof(o));

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => obj is HostDesk.Drain ? [] : JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"unknown cluster crawl manifest '{manifest}'");
        }

        if (type == typeof(HostDesk.Drain))
        {
            return HostDesk.Drain.Instance;
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"an empty {manifest}");
        }
        catch (JsonException e)
        {
            throw new SerializationException($"a bad {manifest}: {e.Message}", e);
        }
    }

    private sealed class ResultConverter : JsonConverter<Crawl.PlanetResult>
    {
        public override bool CanConvert(Type typeToConvert) => typeof(Crawl.PlanetResult).IsAssignableFrom(typeToConvert);

        public override Crawl.PlanetResult Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<Rows.ResultRow>(ref reader)?.ToResult() ?? throw new JsonException("a null result");

        public override void Write(Utf8JsonWriter writer, Crawl.PlanetResult value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, Rows.ResultRow.Of(value), Plain);
    }

    private sealed class TimingConverter : JsonConverter<Crawl.RequestTiming>
    {
        public override Crawl.RequestTiming Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<Rows.TimingRow>(ref reader)?.ToTiming() ?? throw new JsonException("a null timing");

        public override void Write(Utf8JsonWriter writer, Crawl.RequestTiming value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, Rows.TimingRow.Of(value), Plain);
    }

    private static readonly JsonSerializerOptions Plain = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

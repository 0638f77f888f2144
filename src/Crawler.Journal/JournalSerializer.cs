using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Crawler.Core;
using Crawler.Http;

namespace Crawler.Journal;

/// <summary>
/// Writes a job's events as JSON under stable manifests (<c>job-started</c>, <c>planet-recorded</c>) and field names,
/// so that renaming a class or a property never breaks the recovery of a journal written before. Kinds, phases and
/// stages are written by their contract names (<c>no-title</c>, <c>deadline</c>, <c>article</c>), never as numbers.
/// Bound to <see cref="IJobEvent"/> in <c>journal.conf</c>.
/// </summary>
public sealed class JournalSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The manifest of <see cref="JobStarted"/>.</summary>
    public const string JobStartedManifest = "job-started";

    /// <summary>The manifest of <see cref="PlanetRecorded"/>.</summary>
    public const string PlanetRecordedManifest = "planet-recorded";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Ours: 7301 (Akka keeps 0–40 for its own).</summary>
    public override int Identifier => 7301;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        JobStarted => JobStartedManifest,
        PlanetRecorded => PlanetRecordedManifest,
        _ => throw new ArgumentException($"{o?.GetType()} is not a job event", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => obj switch
    {
        JobStarted started => JsonSerializer.SerializeToUtf8Bytes(Rows.StartedRow.Of(started), Json),
        PlanetRecorded recorded => JsonSerializer.SerializeToUtf8Bytes(Rows.ResultRow.Of(recorded.Result), Json),
        _ => throw new ArgumentException($"{obj?.GetType()} is not a job event", nameof(obj)),
    };

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        JobStartedManifest => Read<Rows.StartedRow>(bytes).ToEvent(),
        PlanetRecordedManifest => new PlanetRecorded(Read<Rows.ResultRow>(bytes).ToResult()),
        _ => throw new SerializationException($"unknown job event manifest '{manifest}'"),
    };

    private static T Read<T>(byte[] bytes) =>
        JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new SerializationException($"an empty {typeof(T).Name}");
}

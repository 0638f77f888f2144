using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Crawler.Core;
using Crawler.Core.Output;

namespace Crawler.Journal.Tests;

public sealed class JournalSerializerSpecs : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>A planet-recorded row as this version writes it: the format on disk, frozen. A change that breaks it
    /// breaks every journal written before.</summary>
    private const string FailedRow = """{"index":7,"planet":"http://127.0.0.1:1/planet/7","ok":false,"status":404,"attempts":3,"elapsedMs":47,"stage":"article","error":"timeout","message":"Timeout on purpose","failedUrl":"http://127.0.0.1:1/article/7/1","phase":"planet","timings":[]}""";

    private const string StartedRow = """{"mode":"titles","options":"o","urls":"u","planets":3,"startedAt":"1970-01-01T00:00:00+00:00"}""";

    public JournalSerializerSpecs()
        : base(JournalConfig.For("Data Source=:memory:"))
    {
    }

    private Serializer Serializer => Sys.Serialization.FindSerializerForType(typeof(PlanetRecorded));

    [Fact]
    public void Job_events_are_bound_to_the_journal_serializer_in_hocon()
    {
        Assert.IsType<JournalSerializer>(Sys.Serialization.FindSerializerForType(typeof(PlanetRecorded)));
        Assert.IsType<JournalSerializer>(Sys.Serialization.FindSerializerForType(typeof(JobStarted)));
        Assert.Equal(JournalSerializer.PlanetRecordedManifest, Akka.Serialization.Serialization.ManifestFor(Serializer, new PlanetRecorded(Results.Ok(0))));
    }

    [Fact]
    public void A_fetched_planet_comes_back_whole_timings_and_all()
    {
        var original = Results.Ok(3);
        var back = Assert.IsType<Crawl.PlanetFetched>(RoundTrip(new PlanetRecorded(original)).Result);
        Assert.Equal(original with { Timings = [] }, back with { Timings = [] });
        Assert.Equal(original.Timings, back.Timings);
        Assert.Equal(ResultFormatter.Format(original, CrawlMode.Planets, ResultFormat.Json), ResultFormatter.Format(back, CrawlMode.Planets, ResultFormat.Json));
    }

    [Theory]
    [InlineData(ErrorKind.NoTitle, null)]
    [InlineData(ErrorKind.Timeout, TimeoutPhase.Body)]
    [InlineData(ErrorKind.Robots, null)]
    public void A_failed_planet_comes_back_with_its_kind_stage_and_phase(ErrorKind kind, TimeoutPhase? phase)
    {
        var original = Results.Failed(5, kind, phase);
        var back = Assert.IsType<Crawl.PlanetFailed>(RoundTrip(new PlanetRecorded(original)).Result);
        Assert.Equal(original with { Timings = [] }, back with { Timings = [] });
    }

    [Fact]
    public void A_job_start_comes_back_as_it_was()
    {
        var original = new JobStarted(CrawlMode.Titles, "o", "u", 3, DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(original, RoundTrip(original));
    }

    [Fact]
    public void Rows_written_by_this_version_are_read_by_their_manifest_and_written_the_same_way()
    {
        var serializer = (SerializerWithStringManifest)Serializer;
        var failed = Assert.IsType<PlanetRecorded>(serializer.FromBinary(Encoding.UTF8.GetBytes(FailedRow), "planet-recorded"));
        var result = Assert.IsType<Crawl.PlanetFailed>(failed.Result);
        Assert.Equal((7, ErrorKind.Timeout, TimeoutPhase.Planet, FetchStage.Article, 404), (result.Index, result.Kind, result.Phase, result.Stage, result.Status));
        Assert.Equal(FailedRow, Encoding.UTF8.GetString(serializer.ToBinary(failed)));

        var started = Assert.IsType<JobStarted>(serializer.FromBinary(Encoding.UTF8.GetBytes(StartedRow), "job-started"));
        Assert.Equal((CrawlMode.Titles, 3), (started.Mode, started.PlanetCount));
        Assert.Equal(StartedRow, Encoding.UTF8.GetString(serializer.ToBinary(started)));
    }

    [Fact]
    public void An_unknown_manifest_or_kind_is_a_serialization_error_not_a_wrong_result()
    {
        var serializer = (SerializerWithStringManifest)Serializer;
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(Encoding.UTF8.GetBytes(FailedRow), "planet-recorded-v9"));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() =>
            serializer.FromBinary(Encoding.UTF8.GetBytes(FailedRow.Replace("\"timeout\"", "\"gremlins\"", StringComparison.Ordinal)), "planet-recorded"));
    }

    private T RoundTrip<T>(T value) where T : notnull
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(value);
        return (T)serializer.FromBinary(serializer.ToBinary(value), serializer.Manifest(value));
    }
}

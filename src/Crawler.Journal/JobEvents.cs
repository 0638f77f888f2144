using Crawler.Core;

namespace Crawler.Journal;

/// <summary>An event of a job's ledger: what its journal keeps (bound to <see cref="JournalSerializer"/>, whose
/// manifests are the stable names on disk).</summary>
public interface IJobEvent
{
}

/// <summary>A job was started (or started over with --fresh): everything recorded before it is forgotten.</summary>
/// <param name="Mode">The job's mode.</param>
/// <param name="OptionsHash">The fingerprint of the options that shape its results (<see cref="JobFingerprint"/>).</param>
/// <param name="UrlsHash">The fingerprint of its planets, in order.</param>
/// <param name="PlanetCount">How many planets it has.</param>
/// <param name="StartedAt">When, for <c>crawler jobs</c>.</param>
public sealed record JobStarted(CrawlMode Mode, string OptionsHash, string UrlsHash, int PlanetCount, DateTimeOffset StartedAt) : IJobEvent;

/// <summary>A planet's final result, with its index in the job.</summary>
/// <param name="Result">The result; its <see cref="Crawl.PlanetResult.Index"/> is the planet's place in the job.</param>
public sealed record PlanetRecorded(Crawl.PlanetResult Result) : IJobEvent;

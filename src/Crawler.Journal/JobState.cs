using System.Collections.Immutable;
using Crawler.Core;

namespace Crawler.Journal;

/// <summary>How a job run again compares with the one its journal holds.</summary>
public enum JobMatch
{
    /// <summary>The journal has no such job: it starts now.</summary>
    New,

    /// <summary>The same mode, options and planets: the run goes on where the last one stopped.</summary>
    Same,

    /// <summary>The job was started as the other job (planets or titles).</summary>
    DifferentMode,

    /// <summary>The job was started with options that change its results.</summary>
    DifferentOptions,

    /// <summary>The job was started with other planets (or the same in another order).</summary>
    DifferentUrls,
}

/// <summary>
/// What a job's journal says (pure: folded from its events). A <see cref="JobStarted"/> starts the job over; a
/// <see cref="PlanetRecorded"/> adds a planet's final result, the first one for an index only (a duplicate, from a
/// planet crawled twice around a crash, is dropped).
/// </summary>
/// <param name="Started">The job's start, or null when the journal has none.</param>
/// <param name="Results">The final result of each planet done, by index.</param>
public sealed record JobState(JobStarted? Started, ImmutableSortedDictionary<int, Crawl.PlanetResult> Results)
{
    /// <summary>A job the journal has never seen.</summary>
    public static JobState Empty { get; } = new(null, ImmutableSortedDictionary<int, Crawl.PlanetResult>.Empty);

    /// <summary>The planets done.</summary>
    public int Done => Results.Count;

    /// <summary>The planets done that succeeded.</summary>
    public int Ok => Results.Values.Count(r => r is Crawl.PlanetFetched);

    /// <summary>True when every planet of the job has its result.</summary>
    public bool Finished => Started is { } started && Done >= started.PlanetCount;

    /// <summary>This state after <paramref name="event"/>.</summary>
    public JobState Apply(IJobEvent @event) => @event switch
    {
        JobStarted started => new JobState(started, ImmutableSortedDictionary<int, Crawl.PlanetResult>.Empty),
        PlanetRecorded recorded when Started is { } started && recorded.Result.Index >= 0 && recorded.Result.Index < started.PlanetCount
                                     && !Results.ContainsKey(recorded.Result.Index)
            => this with { Results = Results.Add(recorded.Result.Index, recorded.Result) },
        _ => this, // a duplicate, or a result outside the job: nothing to add
    };

    /// <summary>How <paramref name="start"/>, a run of the job, compares with the job in the journal.</summary>
    public JobMatch Compare(JobStarted start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return Started switch
        {
            null => JobMatch.New,
            { } was when was.Mode != start.Mode => JobMatch.DifferentMode,
            { } was when was.OptionsHash != start.OptionsHash => JobMatch.DifferentOptions,
            { } was when was.UrlsHash != start.UrlsHash || was.PlanetCount != start.PlanetCount => JobMatch.DifferentUrls,
            _ => JobMatch.Same,
        };
    }

    /// <summary>The indices of the planets still to crawl, in order.</summary>
    public ImmutableArray<int> Remaining(int planetCount) =>
        [.. Enumerable.Range(0, planetCount).Where(index => !Results.ContainsKey(index))];

    /// <summary>True when <paramref name="result"/> is final and belongs in the journal: a planet cut short by a cancel
    /// (Ctrl-C, SIGTERM) or by the crawl's deadline is not done, and is crawled again when the job is run again.</summary>
    public static bool IsFinal(Crawl.PlanetResult result) => result switch
    {
        Crawl.PlanetFailed { Kind: ErrorKind.Cancelled } => false,
        Crawl.PlanetFailed { Kind: ErrorKind.Timeout, Phase: TimeoutPhase.Deadline } => false,
        _ => true,
    };
}

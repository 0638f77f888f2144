namespace Crawler.Core.Output;

/// <summary>How many requests of a crawl have ended so far (a page or a failure), counted by its fetchers as each
/// ends and read by its printer's progress line: a metric, like a performance counter, not state anyone decides on.
/// The results count pages only when a planet ends, which in a large crawl is long after its pages arrived.</summary>
internal sealed class PageCounter
{
    private long _count;

    /// <summary>Requests ended so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>One more request ended.</summary>
    public void Add() => Interlocked.Increment(ref _count);
}

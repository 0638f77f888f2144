using System.Collections.Immutable;
using Crawler.Core;
using Crawler.Core.Hosts;

namespace Crawler.Cluster;

/// <summary>
/// A cluster crawl's durable state (pure: rebuilt from the ledger's events): the planets, the article each planet
/// step found, and each planet's final result, in the order recorded. It decides what a <see cref="ClusterCrawl.StepDone"/>
/// means (<see cref="Decide(ClusterCrawl.StepDone)"/>): the next step's event, a planet's final result, or nothing for a duplicate (a step
/// delivered twice around a crash, answered twice), so that each (planet, stage) is recorded once.
/// </summary>
public sealed class CrawlBook
{
    private readonly Dictionary<int, ClusterCrawl.ArticleFound> _articles = [];
    private readonly Dictionary<int, ClusterCrawl.Redirected> _moves = [];
    private readonly Dictionary<int, Crawl.PlanetResult> _results = [];
    private readonly List<Crawl.PlanetResult> _log = [];
    private readonly List<string> _urls = [];

    /// <summary>The crawl as submitted, or null before.</summary>
    public ClusterCrawl.Submitted? Crawl { get; private set; }

    /// <summary>The planets known so far, in order.</summary>
    public IReadOnlyList<string> Urls => _urls;

    /// <summary>The planets' count (0 before the submit).</summary>
    public int Planets => _urls.Count;

    /// <summary>True when no more planets may be added (a crawl submitted whole, or after its last chunk).</summary>
    public bool Closed { get; private set; }

    /// <summary>The final results, in the order they were recorded.</summary>
    public IReadOnlyList<Crawl.PlanetResult> Log => _log;

    /// <summary>True when every planet has its result and no more may come.</summary>
    public bool Finished => Crawl is not null && Closed && _results.Count == Planets;

    /// <summary>True when planet <paramref name="index"/> has its result.</summary>
    public bool IsDone(int index) => _results.ContainsKey(index);

    /// <summary>Applies an event of the ledger.</summary>
    public void Apply(IClusterCrawlMessage @event)
    {
        switch (@event)
        {
            case ClusterCrawl.Submitted submitted when Crawl is null:
                Crawl = submitted;
                _urls.AddRange(submitted.Urls);
                Closed = !submitted.More;
                break;
            case ClusterCrawl.PlanetsAdded added when Crawl is not null && !Closed && added.From == Planets:
                _urls.AddRange(added.Urls);
                Closed = added.Last;
                break;
            case ClusterCrawl.ArticleFound found when Crawl is not null && !IsDone(found.Index):
                _articles[found.Index] = found;
                _moves.Remove(found.Index);
                break;
            case ClusterCrawl.Redirected moved when Crawl is not null && !IsDone(moved.Index):
                _moves[moved.Index] = moved;
                break;
            case ClusterCrawl.Finished finished when Crawl is not null && !IsDone(finished.Result.Index):
                _results[finished.Result.Index] = finished.Result;
                _articles.Remove(finished.Result.Index);
                _moves.Remove(finished.Result.Index);
                _log.Add(finished.Result);
                break;
        }
    }

    /// <summary>Whether <paramref name="submit"/>, sent for a crawl already submitted, is that crawl again (the same job,
    /// options and planets, or for a chunked submit the same first chunk).</summary>
    public bool IsSameSubmit(ClusterCrawl.Submit submit)
    {
        ArgumentNullException.ThrowIfNull(submit);
        return Crawl is { } crawl && crawl.Mode == submit.Mode && crawl.Hocon == submit.Hocon && crawl.More == submit.More
            && crawl.Urls.SequenceEqual(submit.Urls);
    }

    /// <summary>What a chunk of planets calls for: the event that adds it (null when it was added before: a chunk sent
    /// again), or why it is refused.</summary>
    public (ClusterCrawl.PlanetsAdded? Event, string? Refusal) Decide(ClusterCrawl.AddPlanets add)
    {
        ArgumentNullException.ThrowIfNull(add);
        if (Crawl is null)
        {
            return (null, "no crawl was submitted under this id");
        }

        if (add.From == Planets && !Closed)
        {
            return (new ClusterCrawl.PlanetsAdded(add.From, add.Urls, add.Last), null);
        }

        var known = add.From >= 0 && add.From + add.Urls.Length <= Planets && add.Urls.SequenceEqual(_urls.Skip(add.From).Take(add.Urls.Length));
        return known switch
        {
            true when !add.Last || Closed => (null, null),
            true when add.From + add.Urls.Length == Planets => (new ClusterCrawl.PlanetsAdded(Planets, [], true), null),
            _ when Closed => (null, "the crawl takes no more planets (its last chunk is in, or it was cancelled)"),
            _ when add.From > Planets => (null, $"planets from {add.From} leave a gap: the crawl has {Planets}"),
            _ => (null, $"other planets were added at positions {add.From} to {add.From + add.Urls.Length - 1}"),
        };
    }

    /// <summary>The step planet <paramref name="index"/> is at: its page, or its article once the page gave the link.</summary>
    public ClusterCrawl.FetchStep StepOf(string crawlId, int index)
    {
        var crawl = Crawl ?? throw new InvalidOperationException("the crawl was not submitted");
        var (stage, url) = _articles.TryGetValue(index, out var found) ? (FetchStage.Article, found.Article) : (FetchStage.Planet, _urls[index]);
        if (_moves.TryGetValue(index, out var moved) && moved.Stage == stage)
        {
            return new ClusterCrawl.FetchStep(crawlId, HostOf(moved.Url), index, stage, moved.Url, crawl.Mode, crawl.Hocon) { Chain = moved.Chain };
        }

        return new ClusterCrawl.FetchStep(crawlId, HostOf(url), index, stage, url, crawl.Mode, crawl.Hocon);
    }

    /// <summary>The event a step's cross-host redirect calls for: the planet's next step is the target (its stage's
    /// attempts, time and timings so far carried on), or null for a stale or duplicate answer (from a step the planet
    /// has moved past).</summary>
    public ClusterCrawl.Redirected? Decide(ClusterCrawl.StepMoved moved)
    {
        ArgumentNullException.ThrowIfNull(moved);
        if (Crawl is null || moved.Index < 0 || moved.Index >= Planets || IsDone(moved.Index))
        {
            return null;
        }

        var current = StepOf(string.Empty, moved.Index);
        if (current.Stage != moved.Stage || current.Url != moved.From)
        {
            return null;
        }

        var before = _moves.TryGetValue(moved.Index, out var earlier) && earlier.Stage == moved.Stage ? earlier : null;
        return new ClusterCrawl.Redirected(moved.Index, moved.Stage, moved.Url, moved.Chain, Math.Max(before?.Attempts ?? 0, moved.Attempts),
            (before?.ElapsedMs ?? 0) + moved.ElapsedMs, [.. before?.Timings ?? [], .. moved.Timings]);
    }

    /// <summary>The event <paramref name="done"/> calls for, or null when it changes nothing (a duplicate, a stale
    /// answer, a planet already done).</summary>
    public IClusterCrawlMessage? Decide(ClusterCrawl.StepDone done)
    {
        ArgumentNullException.ThrowIfNull(done);
        var result = done.Result;
        if (Crawl is not { } crawl || result.Index < 0 || result.Index >= Planets || IsDone(result.Index))
        {
            return null;
        }

        var planet = _urls[result.Index];
        var article = _articles.GetValueOrDefault(result.Index);
        if (_moves.TryGetValue(result.Index, out var moved) && moved.Stage == done.Stage)
        {
            // The stage's earlier hops, on other hosts, count in its attempts, time and timings.
            result = result switch
            {
                Crawl.PlanetFetched ok => ok with { Attempts = Math.Max(ok.Attempts, moved.Attempts) },
                Crawl.PlanetFailed failed => failed with { Attempts = Math.Max(failed.Attempts, moved.Attempts) },
                _ => result,
            };
            result = result with { ElapsedMs = result.ElapsedMs + moved.ElapsedMs, Timings = [.. moved.Timings, .. result.Timings] };
        }

        return (done.Stage, article, result) switch
        {
            (FetchStage.Planet, not null, _) => null, // the planet step answered twice: its article is under way
            (FetchStage.Planet, null, Crawl.PlanetFetched { Article: { } link }) when crawl.Mode == CrawlMode.Planets =>
                new ClusterCrawl.ArticleFound(result.Index, link, ((Crawl.PlanetFetched)result).Attempts, result.ElapsedMs, [.. result.Timings]),
            (FetchStage.Planet, null, _) => new ClusterCrawl.Finished(result with { Planet = planet }),
            (FetchStage.Article, null, _) => null, // an article step of a planet whose page is not known to be done
            (FetchStage.Article, { } found, Crawl.PlanetFetched ok) => new ClusterCrawl.Finished(
                new Crawl.PlanetFetched(result.Index, planet, ok.Article ?? found.Article, ok.Title, ok.Status, Math.Max(found.Attempts, ok.Attempts),
                    found.ElapsedMs + ok.ElapsedMs) { Timings = [.. found.Timings, .. ok.Timings] }),
            (FetchStage.Article, { } found, Crawl.PlanetFailed failed) => new ClusterCrawl.Finished(
                failed with
                {
                    Planet = planet, Stage = FetchStage.Article, Attempts = Math.Max(found.Attempts, failed.Attempts),
                    ElapsedMs = found.ElapsedMs + failed.ElapsedMs, Timings = [.. found.Timings, .. failed.Timings],
                }),
            _ => null,
        };
    }

    /// <summary>The events that end the crawl now: it takes no more planets, and every unfinished planet ends as
    /// <paramref name="kind"/> (a cancel, or the crawl's deadline with <paramref name="phase"/>).</summary>
    public IEnumerable<IClusterCrawlMessage> EndAll(ErrorKind kind, string message, TimeoutPhase? phase = null)
    {
        if (Crawl is null)
        {
            yield break;
        }

        if (!Closed)
        {
            yield return new ClusterCrawl.PlanetsAdded(Planets, [], true);
        }

        for (var index = 0; index < _urls.Count; index++)
        {
            if (!IsDone(index))
            {
                yield return new ClusterCrawl.Finished(new Crawl.PlanetFailed(index, _urls[index],
                    _articles.ContainsKey(index) ? FetchStage.Article : FetchStage.Planet, new Failure(kind, message, _urls[index], Phase: phase), 0, 0));
            }
        }
    }

    /// <summary>The desk a URL goes to: its host key, or <c>bad-url</c> for a URL with no host (whose desk reports it).</summary>
    public static string HostOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) && !string.IsNullOrEmpty(parsed.IdnHost) ? HostKey.Of(parsed) : "bad-url";
}

/// <summary>
/// The delivery window of a ledger (pure; not persisted: after a recovery every unfinished planet is due again): at
/// most <c>limit</c> planets have a step out at once; a step unanswered for the redelivery interval is due again.
/// </summary>
/// <param name="limit">The most planets with a step out.</param>
public sealed class StepWindow(int limit)
{
    private readonly Dictionary<int, long> _out = [];
    private int _next;

    /// <summary>Planets with a step out.</summary>
    public int Out => _out.Count;

    /// <summary>The planets whose step should be sent now (at <paramref name="now"/>, in ticks): new ones while there is
    /// room, and those unanswered for <paramref name="redeliverAfter"/> ticks. Each is marked sent.</summary>
    public ImmutableArray<int> Due(CrawlBook book, long now, long redeliverAfter)
    {
        ArgumentNullException.ThrowIfNull(book);
        var due = ImmutableArray.CreateBuilder<int>();
        foreach (var (index, sent) in _out.ToList())
        {
            if (book.IsDone(index))
            {
                _out.Remove(index);
            }
            else if (now - sent >= redeliverAfter)
            {
                _out[index] = now;
                due.Add(index);
            }
        }

        while (_out.Count < limit && _next < book.Planets)
        {
            var index = _next++;
            if (!book.IsDone(index))
            {
                _out[index] = now;
                due.Add(index);
            }
        }

        return due.ToImmutable();
    }

    /// <summary>Planet <paramref name="index"/> moved to its next step, sent at <paramref name="now"/>.</summary>
    public void Resent(int index, long now) => _out[index] = now;

    /// <summary>Planet <paramref name="index"/> is done: its slot is free.</summary>
    public void Done(int index) => _out.Remove(index);
}

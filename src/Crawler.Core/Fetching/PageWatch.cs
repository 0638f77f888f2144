using System.Collections.Concurrent;
using Akka.Actor;
using Crawler.Core.Configuration;
using Crawler.Core.Extraction;
using Crawler.Http;

namespace Crawler.Core.Fetching;

#pragma warning disable IDE0065 // Inside namespace Crawler.*, the name Http means the namespace Crawler.Http;
using Http = Crawler.Http.Http; // an alias in the namespace lets call sites read Http.ResponseReceived, as Tcp.Connected.
#pragma warning restore IDE0065

/// <summary>The early answer of one page, sent by its <see cref="PageWatch"/> to the fetcher: the article link of a
/// planet page, or the title of a page, known before the page's last byte. The reply to the fetch still follows,
/// with the body dropped.</summary>
/// <param name="RequestId">The fetch whose page it is.</param>
/// <param name="StatusCode">The page's status.</param>
/// <param name="Link">The article link, resolved (for a link watch).</param>
/// <param name="Title">The title (for a title watch).</param>
internal sealed record PageDecided(long RequestId, int StatusCode, Uri? Link, string? Title);

/// <summary>What a fetch asks of its page while it arrives (<see cref="Hosts.Host.Fetch.Early"/>): data, so that the
/// fetch stays a plain message; the host owner that dispatches the fetch makes the <see cref="PageWatch"/> of it.</summary>
/// <param name="Selector">The selector whose first match is the answer.</param>
/// <param name="Title">The answer is the match's text (a title), else its href (an article link).</param>
/// <param name="Close">Close the connection once answered (<see cref="EarlyAnswerMode.Close"/>), else drain the rest.</param>
internal sealed record EarlyAnswer(string Selector, bool Title, bool Close)
{
    /// <summary>The early answer a page of <paramref name="settings"/>' crawl asks for, or null when its mode is off or
    /// the selector cannot be decided early.</summary>
    public static EarlyAnswer? For(CrawlerSettings settings, IPageExtractor extractor, bool title)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(extractor);
        return settings.EarlyAnswers == EarlyAnswerMode.Off || !(title ? extractor.CanDecideTitleEarly : extractor.CanDecideArticleEarly)
            ? null
            : new EarlyAnswer(title ? settings.TitleSelector : settings.ArticleSelector, title, settings.EarlyAnswers == EarlyAnswerMode.Close);
    }
}

/// <summary>
/// Watches a page as its bytes arrive (<see cref="IBodyWatch"/>, called by the connection that reads it) and tells
/// the fetcher its answer as soon as the bytes so far decide it (<see cref="IPageExtractor.TryEarlyArticleLink"/>,
/// <see cref="IPageExtractor.TryEarlyTitle"/>). Only a 2xx page is watched: any other status is the request's to
/// judge. The bytes so far are parsed again only when they have doubled (and grown by 4 KB) since the last look, so
/// a page whose answer comes late costs at most about twice the parse of that much of it; past
/// <see cref="MaxBytes"/> the watch stops and the page is parsed whole, as without it.
/// </summary>
internal sealed class PageWatch : IBodyWatch
{
    /// <summary>The most bytes of a page looked at before it arrives whole.</summary>
    public const int MaxBytes = 1 << 20;

    // One extractor per selector for the whole process: extractors are thread-safe and a crawl has two selectors.
    private static readonly ConcurrentDictionary<string, PageExtractor> Extractors = new();

    private readonly PageExtractor _extractor;
    private readonly bool _title;
    private readonly IActorRef _fetcher;
    private readonly long _requestId;
    private readonly bool _close;
    private int _nextLook;

    /// <summary>The watch of fetch <paramref name="requestId"/>, whose answer goes to <paramref name="fetcher"/>.</summary>
    public PageWatch(EarlyAnswer early, IActorRef fetcher, long requestId)
    {
        ArgumentNullException.ThrowIfNull(early);
        _extractor = Extractors.GetOrAdd(early.Selector, selector => new PageExtractor(selector, selector));
        _title = early.Title;
        _fetcher = fetcher;
        _requestId = requestId;
        _close = early.Close;
    }

    /// <inheritdoc />
    public BodyWatchVerdict OnPartialBody(Http.ResponseReceived head, ReadOnlySpan<byte> bodySoFar)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.StatusCode is < 200 or >= 300 || bodySoFar.Length > MaxBytes)
        {
            return BodyWatchVerdict.Stop;
        }

        if (bodySoFar.Length < _nextLook)
        {
            return BodyWatchVerdict.More;
        }

        _nextLook = Math.Max(bodySoFar.Length * 2, bodySoFar.Length + 4096);
        try
        {
            var contentType = head.Header("Content-Type");
            PageDecided? decided = null;
            if (_title)
            {
                if (_extractor.TryEarlyTitle(bodySoFar, contentType, out var title))
                {
                    decided = new PageDecided(_requestId, head.StatusCode, null, title);
                }
            }
            else if (_extractor.TryEarlyArticleLink(bodySoFar, contentType, head.Url, out var link))
            {
                decided = new PageDecided(_requestId, head.StatusCode, link, null);
            }

            if (decided is null)
            {
                return BodyWatchVerdict.More;
            }

            _fetcher.Tell(decided);
            return _close ? BodyWatchVerdict.SatisfiedClose : BodyWatchVerdict.Satisfied;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return BodyWatchVerdict.Stop; // the whole page will be parsed, and its failure reported, as without a watch
        }
    }
}

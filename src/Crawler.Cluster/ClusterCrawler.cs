using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Crawler.Core;
using Crawler.Core.Embedding;

namespace Crawler.Cluster;

/// <summary>
/// A crawl spread over the cluster, from code: an Akka.NET application that is a member of the cluster (a worker, or
/// a client with <see cref="CrawlerCluster.StartClient"/>) submits a crawl to the crawl region and gets its results,
/// as <see cref="ICrawler.CrawlAsync"/> gives them on one machine. The console's <c>crawler submit</c> follows a crawl
/// the same way (<see cref="FollowAsync"/>).
/// </summary>
public static class ClusterCrawler
{
    /// <summary>Crawls <paramref name="planets"/> on the cluster that <paramref name="system"/> is a member of, as crawl
    /// <paramref name="crawlId"/> (a job name: submitting it again attaches to it). <paramref name="hocon"/> is the
    /// crawl's own <c>crawler</c> settings (see <see cref="CrawlHocon"/>). A cancelled token cancels the crawl on the
    /// cluster: its unfinished planets end as <c>cancelled</c>.</summary>
    /// <exception cref="InvalidOperationException">The cluster refused the crawl (another crawl has that id).</exception>
    /// <exception cref="TimeoutException">The cluster did not answer within <c>crawler.cluster.client-timeout</c>.</exception>
    public static Task<CrawlReport> CrawlAsync(ActorSystem system, string crawlId, IReadOnlyList<string> planets, CrawlMode mode = CrawlMode.Planets,
        string hocon = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(planets);
        var crawler = system.ClusterCrawler();
        var window = CrawlHocon.Window(CrawlHocon.Settings(hocon, system), crawler.Cluster.MaxStepsInFlight);
        var region = Akka.Cluster.Sharding.ClusterSharding.Get(system).ShardRegion(ClusterCrawl.CrawlRegion);
        return crawler.RunAsync(crawlId, planets, target => ClusterCrawlClient.Props(region, target, crawlId, mode, hocon, window, crawler.Cluster), cancellationToken);
    }

    /// <summary>Submits crawl <paramref name="crawlId"/> of <paramref name="urls"/> in chunks of
    /// <c>crawler.cluster.submit-chunk</c> planets (each persisted before the next is sent: a list of any length fits
    /// in the remote frames), and answers the last chunk's <see cref="ClusterCrawl.Accepted"/>: the first refusal, or
    /// null when the cluster did not answer within the client timeout.</summary>
    public static async Task<ClusterCrawl.Accepted?> SubmitAsync(IActorRef region, string crawlId, CrawlMode mode, string hocon, IReadOnlyList<string> urls,
        ClusterSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(settings);
        var chunk = settings.SubmitChunk;
        var first = urls.Take(chunk).ToImmutableArray();
        var accepted = await AskAsync<ClusterCrawl.Accepted>(region, new ClusterCrawl.Submit(crawlId, mode, hocon, first, More: urls.Count > chunk), settings,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var from = chunk; from < urls.Count && accepted is { Refusal: null }; from += chunk)
        {
            var next = urls.Skip(from).Take(chunk).ToImmutableArray();
            accepted = await AskAsync<ClusterCrawl.Accepted>(region, new ClusterCrawl.AddPlanets(crawlId, from, next, Last: from + next.Length >= urls.Count), settings,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return accepted;
    }

    /// <summary>The results of crawl <paramref name="crawlId"/> from position <paramref name="from"/>, page by page as
    /// they are recorded, until the crawl is finished (the last page says so) or <paramref name="cancellationToken"/>
    /// is cancelled (which only stops following).</summary>
    /// <exception cref="TimeoutException">The cluster has not answered for five minutes.</exception>
    public static async IAsyncEnumerable<ClusterCrawl.Results> FollowAsync(IActorRef region, string crawlId, int from, ClusterSettings settings,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var silentSince = Stopwatch.StartNew();
        while (!cancellationToken.IsCancellationRequested)
        {
            var page = await AskAsync<ClusterCrawl.Results>(region, new ClusterCrawl.GetResults(crawlId, from), settings, once: true, cancellationToken)
                .ConfigureAwait(false);
            if (page is not null)
            {
                silentSince.Restart();
                from += page.Items.Length;
                yield return page;
                if (page.Finished || !page.Known)
                {
                    yield break;
                }

                if (page.Items.Length > 0)
                {
                    continue; // more may be waiting
                }
            }
            else if (silentSince.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"the cluster has not answered for 5 minutes about crawl '{crawlId}'");
            }

            try
            {
                await Task.Delay(settings.ResultsPollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>Asks until answered, within the client timeout (the region may still be allocating its shards, or
    /// moving one from a dead node); null when no answer came. <paramref name="once"/> asks once.</summary>
    public static async Task<T?> AskAsync<T>(IActorRef region, object message, ClusterSettings settings, bool once = false,
        CancellationToken cancellationToken = default) where T : class
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(settings);
        var deadline = Stopwatch.StartNew();
        do
        {
            try
            {
                return await region.Ask<T>(message, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                // the shard may be moving: ask again
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
        while (!once && deadline.Elapsed < settings.ClientTimeout);

        return null;
    }
}

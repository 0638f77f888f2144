using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Output;
using Crawler.SampleSite;

namespace Crawler.Bench;

/// <summary>
/// Actor messages per planet: a crawl of the in-process farm on a system whose mailboxes count what is enqueued, by the
/// type of the receiving actor (ours, Akka.IO's, Akka's own). Usage: <c>messages [PLANETS]</c>.
/// </summary>
internal static class MessageCount
{
    public static async Task RunAsync(int planets)
    {
        const string Counting = "\"Crawler.Bench.MessageCount+CountingMailbox, Crawler.Bench\"";
        using var system = ActorSystem.Create("count", $"""
            akka.loglevel = WARNING
            akka.log-dead-letters = off
            akka.actor.default-mailbox.mailbox-type = {Counting}
            akka.actor.mailbox.unbounded-queue-based.mailbox-type = {Counting}
            akka.actor.mailbox.unbounded-deque-based.mailbox-type = "Crawler.Bench.MessageCount+CountingDequeMailbox, Crawler.Bench"
            crawler.robots.enabled = off
            crawler.http.max-connections-per-host = 0
            """);
        var settings = CrawlerSettings.Create(system);
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(planets, TimeSpan.FromMilliseconds(20)));
        await InProcess.Crawl(system, settings, [farm.PlanetUrls[0]], CrawlMode.Planets); // warm-up: the system's own start-up messages are not counted
        foreach (var counter in CountingQueue.Counts.Values)
        {
            Interlocked.Exchange(ref counter.Value, 0); // zeroed, not removed: the queues of living actors hold theirs
        }

        var summary = await InProcess.Crawl(system, settings, farm.PlanetUrls, CrawlMode.Planets);
        Console.WriteLine(ResultFormatter.Summary(summary, CrawlMode.Planets));
        var total = CountingQueue.Counts.Values.Sum(c => c.Value);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{total} messages for {planets} planets (2 requests each): {(double)total / planets:0.0} per planet"));
        foreach (var (type, count) in CountingQueue.Counts.Where(c => c.Value.Value > 0).OrderByDescending(c => c.Value.Value))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(double)count.Value / planets,6:0.00}  {type}"));
        }

        await system.Terminate();
    }

    /// <summary>An unbounded mailbox whose queue counts what it is given.</summary>
    public sealed class CountingMailbox(Akka.Actor.Settings settings, Config config)
        : MailboxType(settings, config), IProducesMessageQueue<CountingQueue>
    {
        public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CountingQueue(owner);
    }

    /// <summary>The same for actors with a stash (a deque); what a stash puts back first is not counted again.</summary>
    public sealed class CountingDequeMailbox(Akka.Actor.Settings settings, Config config)
        : MailboxType(settings, config), IProducesMessageQueue<CountingDequeQueue>
    {
        public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CountingDequeQueue(owner);
    }

    public class CountingQueue(IActorRef owner, IMessageQueue queue) : IMessageQueue, IUnboundedMessageQueueSemantics
    {
        private StrongBox<long>? _counter;

        public CountingQueue(IActorRef owner)
            : this(owner, new UnboundedMessageQueue())
        {
        }

        public static ConcurrentDictionary<string, StrongBox<long>> Counts { get; } = new();

        public bool HasMessages => queue.HasMessages;

        public int Count => queue.Count;

        public void Enqueue(IActorRef receiver, Envelope envelope)
        {
            var counter = _counter ??= Counts.GetOrAdd(Name(owner), _ => new StrongBox<long>());
            Interlocked.Increment(ref counter.Value);
            queue.Enqueue(receiver, envelope);
        }

        public bool TryDequeue(out Envelope envelope) => queue.TryDequeue(out envelope);

        public void CleanUp(IActorRef owner, IMessageQueue deadletters) => queue.CleanUp(owner, deadletters);

        private static string Name(IActorRef actor) =>
            actor is ActorRefWithCell { Underlying.Props.Type: { } type } ? type.FullName ?? type.Name : actor.GetType().Name;
    }

    public sealed class CountingDequeQueue(IActorRef owner, UnboundedDequeMessageQueue deque)
        : CountingQueue(owner, deque), IUnboundedDequeBasedMessageQueueSemantics
    {
        public CountingDequeQueue(IActorRef owner)
            : this(owner, new UnboundedDequeMessageQueue())
        {
        }

        public void EnqueueFirst(Envelope envelope) => deque.EnqueueFirst(envelope);
    }
}

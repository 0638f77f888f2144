using Akka.Actor;

namespace Crawler.Http;

/// <summary>
/// Props whose actor is made by a delegate, not by reflection. <c>Props.Create&lt;T&gt;(args)</c> finds the
/// constructor that fits its arguments on every actor it makes (<c>Activator.CreateInstance</c>: binding, then an
/// emitted invoker), which profiles of a 10,000-planet crawl showed as the largest part of creating the per-planet
/// and per-connection actors; a delegate calls the constructor directly.
/// </summary>
internal static class DirectProps
{
    /// <summary>Props that make each <typeparamref name="TActor"/> with <paramref name="create"/>.</summary>
    public static Props Of<TActor>(Func<TActor> create)
        where TActor : ActorBase => Props.CreateBy(new Producer<TActor>(create));

    private sealed class Producer<TActor>(Func<TActor> create) : IIndirectActorProducer
        where TActor : ActorBase
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => create();

        public void Release(ActorBase actor)
        {
        }
    }
}

namespace Crawler.Core.Hosts;

/// <summary>What a <see cref="HostRegistry"/> and its <see cref="HostOwner"/>s tell each other: connection leases from
/// the system's budget, pressure on it, and passivation (an owner idle for long enough asks to be stopped; the
/// registry holds its messages meanwhile, as Cluster.Sharding's region does).</summary>
internal static class HostControl
{
    /// <summary>Owner → registry: a lease for a new connection, please. The reply is <see cref="LeaseGranted"/>, at
    /// once or when a lease comes back.</summary>
    public sealed record LeaseRequested(long Connection);

    /// <summary>Registry → owner: start the connection.</summary>
    public sealed record LeaseGranted(long Connection);

    /// <summary>Registry → owner: the system's connections are all leased; the lease comes when one is given back.</summary>
    public sealed record LeaseWaiting(long Connection);

    /// <summary>Owner → registry: the connection is gone (or no longer wanted, if its lease was still waiting).</summary>
    public sealed record LeaseReturned(long Connection);

    /// <summary>Registry → owners holding leases: leases are waiting (<c>On</c>): give back idle connections; or no more.</summary>
    public sealed record Pressure(bool On);

    /// <summary>Owner → registry: idle for the idle timeout; stop me when nothing is on its way.</summary>
    public sealed record Passivate
    {
        public static readonly Passivate Instance = new();
    }

    /// <summary>Registry → owner: everything sent to you before this has arrived; stop if you are still idle.</summary>
    public sealed record PassivateNow
    {
        public static readonly PassivateNow Instance = new();
    }

    /// <summary>Owner → registry: not idle any more; carry on.</summary>
    public sealed record StillBusy
    {
        public static readonly StillBusy Instance = new();
    }
}

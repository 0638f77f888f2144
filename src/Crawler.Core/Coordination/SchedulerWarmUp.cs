using Akka.Actor;

namespace Crawler.Core.Coordination;

/// <summary>
/// Starts Akka's scheduler before a crawl does. In Akka 1.5.74 <c>HashedWheelTimerScheduler</c> starts its worker
/// lazily, on the first timer, and every thread that schedules a timer meanwhile blocks in <c>Task.Wait()</c> until
/// the worker runs, which itself needs a thread-pool thread. A crawl whose thousand fetchers all start their planet
/// timer at once filled the thread pool with such waiters and stalled for minutes (measured: 228 s, until the
/// thread pool had grown enough). One timer scheduled up front, from the caller's thread, avoids it.
/// </summary>
internal static class SchedulerWarmUp
{
    /// <summary>Makes sure <paramref name="system"/>'s scheduler is running (cheap when it already is).</summary>
    public static void Ensure(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var cancelable = new Cancelable(system.Scheduler);
        system.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromDays(1), static () => { }, cancelable);
        cancelable.Cancel();
    }
}

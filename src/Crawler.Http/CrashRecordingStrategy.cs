using Akka.Actor;

namespace Crawler.Http;

/// <summary>
/// A one-for-one strategy that stops a failing child, never restarts it (a restart would fetch again and could
/// report twice), and remembers why it failed, so the parent can turn the <c>Terminated</c> that follows into a
/// <c>crash</c> result with the exception's message. Runs on the parent's thread, like all supervision.
/// </summary>
internal sealed class CrashRecordingStrategy : OneForOneStrategy
{
    private readonly Dictionary<IActorRef, Exception> _crashes;

    /// <summary>A strategy that records into <paramref name="crashes"/> (owned by the parent).</summary>
    public CrashRecordingStrategy(Dictionary<IActorRef, Exception> crashes)
        : base(StoppingStrategy.Decider) => _crashes = crashes;

    /// <summary>The message for a child that stopped: its exception, or that it stopped without a word.</summary>
    public static string Describe(Dictionary<IActorRef, Exception> crashes, IActorRef child, string what) =>
        crashes.Remove(child, out var cause)
            ? $"the {what} failed: {cause.GetType().Name}: {cause.Message}"
            : $"the {what} stopped without reporting a result";

    /// <inheritdoc />
    protected override Directive Handle(IActorRef child, Exception exception)
    {
        // An exception thrown while the child starts arrives wrapped; the user wants the original.
        _crashes[child] = exception is ActorInitializationException { InnerException: { } inner } ? inner : exception;
        return Directive.Stop;
    }
}

using Akka.Actor;

namespace Crawler.Http;

/// <summary>Puts crawler actors on the dispatcher the settings name.</summary>
internal static class Dispatching
{
    /// <summary><paramref name="props"/> on <paramref name="dispatcher"/>; unchanged when it is empty (Akka's default).</summary>
    public static Props On(this Props props, string? dispatcher)
    {
        ArgumentNullException.ThrowIfNull(props);
        return string.IsNullOrEmpty(dispatcher) ? props : props.WithDispatcher(dispatcher);
    }
}

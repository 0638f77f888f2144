namespace Crawler;

/// <summary>
/// Something that happens at most once (a signal, a failed write) and an action to take when it does: whichever
/// comes first, the action runs once with the value, at the event or at once when the event came before it was set.
/// Thread-safe: events come from signal handlers and actor threads.
/// </summary>
internal sealed class Latch<T>
    where T : class
{
    private readonly object _gate = new();
    private Action<T>? _then;

    private T? _value;

    /// <summary>The value of the event, once it happened; null before.</summary>
    public T? Value
    {
        get
        {
            lock (_gate)
            {
                return _value;
            }
        }
    }

    /// <summary>The event happened: false if it already had (the first value stays).</summary>
    public bool Fire(T value)
    {
        Action<T>? then;
        lock (_gate)
        {
            if (_value is not null)
            {
                return false;
            }

            _value = value;
            then = _then;
        }

        then?.Invoke(value);
        return true;
    }

    /// <summary>Runs <paramref name="then"/> when the event happens, or now if it has; replaces an earlier action.</summary>
    public void Then(Action<T> then)
    {
        T? already;
        lock (_gate)
        {
            _then = then;
            already = _value;
        }

        if (already is not null)
        {
            then(already);
        }
    }
}

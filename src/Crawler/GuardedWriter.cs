using System.Text;

namespace Crawler;

/// <summary>
/// stdout or stderr as the console host writes it: a write that fails (a closed pipe, as in <c>crawler -f big | head
/// -1</c>; a closed descriptor, <c>&gt;&amp;-</c>; a full disk, <c>&gt;/dev/full</c>) is recorded once, tells
/// <see cref="Broken"/> (the crawl stops at once: nobody reads what it would print), and every later write is
/// dropped, so a failing output can neither crash the crawler nor hang it.
/// </summary>
internal sealed class GuardedWriter : TextWriter
{
    private readonly TextWriter _inner;
    private readonly Latch<IOException> _broken = new();

    /// <param name="inner">The writer.</param>
    /// <param name="failure">A failure known before the first write (the descriptor was closed), or null.</param>
    public GuardedWriter(TextWriter inner, IOException? failure = null)
    {
        _inner = inner;
        if (failure is not null)
        {
            _broken.Fire(failure);
        }
    }

    /// <summary>The first write failure, or null.</summary>
    public IOException? Failure => _broken.Value;

    /// <summary>True when the failure is a closed pipe (EPIPE): the reader went away, which is not an error to report.</summary>
    public bool PipeClosed => Failure is { } failure && IsClosedPipe(failure);

    /// <summary>True for EPIPE: the reading end of a pipe was closed.</summary>
    public static bool IsClosedPipe(IOException e) => (e.HResult & 0xFFFF) == 32;

    /// <inheritdoc />
    public override Encoding Encoding => _inner.Encoding;

    /// <summary>Called once, with the failure, when a write first fails (at once if it already failed).</summary>
    public void OnBroken(Action<IOException> broken) => _broken.Then(broken);

    /// <inheritdoc />
    public override void Write(char value) => Guard(() => _inner.Write(value));

    /// <inheritdoc />
    public override void Write(string? value) => Guard(() => _inner.Write(value));

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Guard(() => _inner.Write(buffer, index, count));

    /// <inheritdoc />
    public override void WriteLine(string? value) => Guard(() => _inner.WriteLine(value));

    /// <inheritdoc />
    public override Task WriteAsync(string? value) => GuardAsync(() => _inner.WriteAsync(value));

    /// <inheritdoc />
    public override Task WriteLineAsync(string? value) => GuardAsync(() => _inner.WriteLineAsync(value));

    /// <inheritdoc />
    public override void Flush() => Guard(_inner.Flush);

    /// <inheritdoc />
    public override Task FlushAsync() => GuardAsync(_inner.FlushAsync);

    private void Guard(Action write)
    {
        if (Failure is not null)
        {
            return;
        }

        try
        {
            write();
        }
        catch (IOException e)
        {
            Fail(e);
        }
        catch (ObjectDisposedException)
        {
            Fail(new IOException("the output is closed"));
        }
    }

    private async Task GuardAsync(Func<Task> write)
    {
        if (Failure is not null)
        {
            return;
        }

        try
        {
            await write().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Fail(e);
        }
        catch (ObjectDisposedException)
        {
            Fail(new IOException("the output is closed"));
        }
    }

    private void Fail(IOException e) => _broken.Fire(e);
}

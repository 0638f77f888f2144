using System.Buffers;

namespace Crawler.Http.Connection;

/// <summary>
/// One growable byte buffer rented from <see cref="ArrayPool{T}"/>, holding the bytes received but not yet
/// consumed by the parser (in the manner of runtime's <c>ArrayBuffer</c>): append at <see cref="AvailableSpan"/>
/// and <see cref="Commit"/>, parse <see cref="ActiveSpan"/>, then <see cref="Discard"/> what was consumed.
/// It holds an array only while bytes are in it: the array is rented when bytes come and returned once they are all
/// consumed, so that ten thousand idle connections hold none (and the pool's arrays go round instead of piling up).
/// Not thread-safe; owned by one actor and never sent in a message.
/// </summary>
internal sealed class ReadBuffer : IDisposable
{
    private readonly int _initialCapacity;
    private byte[] _bytes = [];
    private int _start;
    private int _end;

    /// <summary>Creates a buffer that rents at least <paramref name="initialCapacity"/> bytes when bytes come.</summary>
    public ReadBuffer(int initialCapacity = 4096) => _initialCapacity = initialCapacity;

    /// <summary>The size of the array held now (0 when empty).</summary>
    public int Capacity => _bytes.Length;

    /// <summary>The bytes received and not yet consumed.</summary>
    public ReadOnlySpan<byte> ActiveSpan => _bytes.AsSpan(_start, _end - _start);

    /// <summary>The number of bytes in <see cref="ActiveSpan"/>.</summary>
    public int ActiveLength => _end - _start;

    /// <summary>The free space after the active bytes; call <see cref="EnsureAvailable"/> first.</summary>
    public Span<byte> AvailableSpan => _bytes.AsSpan(_end);

    /// <summary>Makes room for at least <paramref name="count"/> more bytes, compacting or growing the buffer.</summary>
    public void EnsureAvailable(int count)
    {
        if (_bytes.Length - _end >= count)
        {
            return;
        }

        var active = _end - _start;
        if (_bytes.Length == 0)
        {
            _bytes = ArrayPool<byte>.Shared.Rent(Math.Max(_initialCapacity, count));
            return;
        }

        if (_bytes.Length - active >= count && active <= _bytes.Length / 2)
        {
            _bytes.AsSpan(_start, active).CopyTo(_bytes);
        }
        else
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, active + count));
            _bytes.AsSpan(_start, active).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = grown;
        }

        _start = 0;
        _end = active;
    }

    /// <summary>Marks <paramref name="count"/> bytes written into <see cref="AvailableSpan"/> as active.</summary>
    public void Commit(int count) => _end += count;

    /// <summary>Drops the first <paramref name="count"/> active bytes (the ones the parser consumed).</summary>
    public void Discard(int count)
    {
        _start += count;
        if (_start == _end)
        {
            Clear();
        }
    }

    /// <summary>Drops every active byte and gives the array back.</summary>
    public void Clear() => Dispose();

    /// <summary>Returns the array to the pool.</summary>
    public void Dispose()
    {
        var bytes = Interlocked.Exchange(ref _bytes, []);
        if (bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }

        _start = _end = 0;
    }
}

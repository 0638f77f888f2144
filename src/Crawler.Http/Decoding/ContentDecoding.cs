using System.IO.Compression;

namespace Crawler.Http.Decoding;

/// <summary>
/// Removes content codings (RFC 9110 §8.4): gzip (and x-gzip), deflate (zlib, or raw deflate from servers that send
/// it bare), br and identity, in the reverse of the order they were applied. Pure: no Akka, no I/O but memory
/// streams. The decoded size is bounded, so a decompression bomb is a <see cref="HttpFailureKind.TooLarge"/>, and a corrupt
/// body is a <see cref="HttpFailureKind.Protocol"/>; an unknown coding leaves the body as it is.
/// </summary>
internal static class ContentDecoding
{
    /// <summary>The <c>Accept-Encoding</c> value for the codings this class removes.</summary>
    public const string Supported = "gzip, deflate, br";

    /// <summary>The outcome of <see cref="Decode"/>: the body, or why it could not be decoded.</summary>
    /// <param name="Body">The decoded body (the input itself when nothing was to be done).</param>
    /// <param name="Failure">Null on success; a <see cref="HttpFailureKind.TooLarge"/> or <see cref="HttpFailureKind.Protocol"/>.</param>
    public sealed record Result(ReadOnlyMemory<byte> Body, HttpFailure? Failure = null);

    /// <summary>Decodes <paramref name="body"/> as <paramref name="contentEncoding"/> says, producing at most
    /// <paramref name="maxBytes"/> bytes.</summary>
    public static Result Decode(ReadOnlyMemory<byte> body, string? contentEncoding, long maxBytes)
    {
        if (string.IsNullOrWhiteSpace(contentEncoding) || body.IsEmpty)
        {
            return new Result(body);
        }

        var codings = contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var current = body;
        for (var i = codings.Length - 1; i >= 0; i--)
        {
            var coding = codings[i].ToLowerInvariant();
            if (coding is "identity")
            {
                continue;
            }

            if (coding is not ("gzip" or "x-gzip" or "deflate" or "br"))
            {
                // A coding we do not know: the bytes are passed on as they came (as curl does without --compressed).
                return new Result(current);
            }

            try
            {
                var decoded = coding == "deflate" ? Inflate(current, maxBytes) : Read(Open(coding, current), maxBytes);
                if (decoded is null)
                {
                    return new Result(current, new HttpFailure(HttpFailureKind.TooLarge,
                        $"the {coding}-decoded body is larger than max-body-bytes ({maxBytes} bytes): possibly a decompression bomb"));
                }

                current = decoded;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException)
            {
                return new Result(current, new HttpFailure(HttpFailureKind.Protocol, $"the body is not valid {coding} data ({e.Message})"));
            }
        }

        return new Result(current);
    }

    /// <summary>Removes the transfer codings of <paramref name="transferEncoding"/> (all its field lines, joined) that
    /// remain once the parser has taken off a final <c>chunked</c>: gzip (x-gzip) and deflate. Any other transfer
    /// coding (or <c>chunked</c> applied before another) is a <see cref="HttpFailureKind.Protocol"/> failure naming it:
    /// coded bytes are never passed off as the body.</summary>
    public static Result DecodeTransfer(ReadOnlyMemory<byte> body, string? transferEncoding, long maxBytes)
    {
        var codings = TransferCodingsLeft(transferEncoding, out var refused);
        if (refused is not null)
        {
            return new Result(body, refused);
        }

        return codings.Count == 0 ? new Result(body) : Decode(body, string.Join(',', codings), maxBytes);
    }

    /// <summary>A stream of the decoded body read from <paramref name="raw"/> (the de-chunked bytes as they arrive), for
    /// a body too large to hold: the transfer codings left after chunked (as <see cref="DecodeTransfer"/>), then the
    /// content codings (as <see cref="Decode"/>; an unknown one leaves the bytes as they are). Null with
    /// <paramref name="failure"/> for a transfer coding it does not decode. A corrupt body throws
    /// <see cref="InvalidDataException"/> from the stream's reads.</summary>
    public static Stream? OpenStream(Stream raw, string? transferEncoding, string? contentEncoding, out HttpFailure? failure)
    {
        var transfer = TransferCodingsLeft(transferEncoding, out failure);
        if (failure is not null)
        {
            return null;
        }

        var content = string.IsNullOrWhiteSpace(contentEncoding)
            ? []
            : contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var stream = raw;
        foreach (var coding in Enumerable.Reverse(content.Concat(transfer).Select(c => c.ToLowerInvariant()).ToList()))
        {
            if (coding is "identity")
            {
                continue;
            }

            if (coding is not ("gzip" or "x-gzip" or "deflate" or "br"))
            {
                break; // as Decode: from an unknown coding on, the bytes pass as they came
            }

            stream = coding switch
            {
                "br" => new BrotliStream(stream, CompressionMode.Decompress),
                "deflate" => new InflateStream(stream),
                _ => new GZipStream(stream, CompressionMode.Decompress),
            };
        }

        return stream;
    }

    /// <summary>The transfer codings to remove once the parser has taken off a final chunked, or a failure naming one
    /// the crawler does not decode.</summary>
    private static List<string> TransferCodingsLeft(string? transferEncoding, out HttpFailure? failure)
    {
        failure = null;
        if (string.IsNullOrWhiteSpace(transferEncoding))
        {
            return [];
        }

        var codings = transferEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        if (codings.Count > 0 && codings[^1].Equals("chunked", StringComparison.OrdinalIgnoreCase))
        {
            codings.RemoveAt(codings.Count - 1);
        }

        if (codings.Find(c => !TransferCodings.Contains(c.ToLowerInvariant())) is { } unknown)
        {
            failure = new HttpFailure(HttpFailureKind.Protocol,
                $"the response has the transfer coding \"{unknown}\" (Transfer-Encoding: {transferEncoding}), which the crawler does not decode (it decodes chunked, gzip and deflate)");
        }

        return codings;
    }

    private static readonly HashSet<string> TransferCodings = ["gzip", "x-gzip", "deflate", "identity"];

    private static Stream Open(string coding, ReadOnlyMemory<byte> data)
    {
        var input = AsStream(data);
        return coding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
    }

    // RFC 9110 says deflate is the zlib format; some servers send raw deflate. The first two bytes tell them apart
    // (a zlib header is CMF/FLG with CM = 8 and a check value that makes the pair a multiple of 31).
    private static byte[]? Inflate(ReadOnlyMemory<byte> data, long maxBytes)
    {
        Stream stream = IsZlib(data.Span)
            ? new ZLibStream(AsStream(data), CompressionMode.Decompress)
            : new DeflateStream(AsStream(data), CompressionMode.Decompress);
        return Read(stream, maxBytes);
    }

    private static bool IsZlib(ReadOnlySpan<byte> start) => start.Length >= 2 && (start[0] & 0x0F) == 8 && ((start[0] << 8) | start[1]) % 31 == 0;

    /// <summary>deflate read from a stream: zlib or raw, told apart by the first two bytes (as <see cref="Inflate"/>).</summary>
    private sealed class InflateStream(Stream inner) : ReadOnlyStream
    {
        private Stream? _decoder;

        public override int Read(byte[] buffer, int offset, int count) => Decoder().Read(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                (_decoder ?? inner).Dispose();
            }

            base.Dispose(disposing);
        }

        private Stream Decoder()
        {
            if (_decoder is null)
            {
                var start = new byte[2];
                var read = 0;
                while (read < 2 && inner.Read(start, read, 2 - read) is var n and > 0)
                {
                    read += n;
                }

                var prefixed = new PrefixedStream(start.AsMemory(0, read), inner);
                _decoder = IsZlib(start.AsSpan(0, read))
                    ? new ZLibStream(prefixed, CompressionMode.Decompress)
                    : new DeflateStream(prefixed, CompressionMode.Decompress);
            }

            return _decoder;
        }
    }

    /// <summary>A stream that is only read, front to back: what the decoders above take.</summary>
    private abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Bytes already read, then the rest of the stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (prefix.IsEmpty)
            {
                return rest.Read(buffer, offset, count);
            }

            var n = Math.Min(count, prefix.Length);
            prefix.Span[..n].CopyTo(buffer.AsSpan(offset, n));
            prefix = prefix[n..];
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rest.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Reads the stream to its end, or returns null once it passes <paramref name="maxBytes"/>.</summary>
    private static byte[]? Read(Stream stream, long maxBytes)
    {
        using (stream)
        {
            using var output = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > maxBytes)
                {
                    return null;
                }

                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
}

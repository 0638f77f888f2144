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
        if (string.IsNullOrWhiteSpace(transferEncoding))
        {
            return new Result(body);
        }

        var codings = transferEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        if (codings.Count > 0 && codings[^1].Equals("chunked", StringComparison.OrdinalIgnoreCase))
        {
            codings.RemoveAt(codings.Count - 1);
        }

        if (codings.Find(c => !TransferCodings.Contains(c.ToLowerInvariant())) is { } unknown)
        {
            return new Result(body, new HttpFailure(HttpFailureKind.Protocol,
                $"the response has the transfer coding \"{unknown}\" (Transfer-Encoding: {transferEncoding}), which the crawler does not decode (it decodes chunked, gzip and deflate)"));
        }

        return codings.Count == 0 ? new Result(body) : Decode(body, string.Join(',', codings), maxBytes);
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
        var span = data.Span;
        var zlib = span.Length >= 2 && (span[0] & 0x0F) == 8 && ((span[0] << 8) | span[1]) % 31 == 0;
        Stream stream = zlib
            ? new ZLibStream(AsStream(data), CompressionMode.Decompress)
            : new DeflateStream(AsStream(data), CompressionMode.Decompress);
        return Read(stream, maxBytes);
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

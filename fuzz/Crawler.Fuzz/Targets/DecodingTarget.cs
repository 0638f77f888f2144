using System.IO.Compression;
using Crawler.Http;
using Crawler.Http.Decoding;

namespace Crawler.Fuzz.Targets;

/// <summary>
/// Content and transfer decoding. Byte 0 chooses the codings named (from a table of what servers send, valid and
/// not) and the mode: in decode mode the rest is the body as received, and the outcome must be a body within the
/// bound or a <c>too-large</c> or <c>protocol</c> failure, never an exception; in round-trip mode the rest is a page
/// that is encoded with .NET's own encoder and must decode to itself.
/// </summary>
internal static class DecodingTarget
{
    private const long MaxBytes = 1 << 20;

    private static readonly string[] ContentCodings =
        ["gzip", "deflate", "br", "x-gzip", "gzip, br", "identity, gzip", "deflate, gzip", "GZIP", " br ,", "compress", "gzip;q=1", ""];

    private static readonly string[] TransferCodings =
        ["gzip, chunked", "deflate, chunked", "chunked", "gzip", "chunked, gzip", "x-gzip, chunked", "compress, chunked", "identity, chunked"];

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 1)
        {
            return;
        }

        var mode = input[0];
        var body = input[1..].ToArray();
        if ((mode & 0x80) != 0)
        {
            RoundTrip(mode, body);
            return;
        }

        var transfer = (mode & 0x40) != 0;
        var codings = transfer ? TransferCodings[mode % TransferCodings.Length] : ContentCodings[mode % ContentCodings.Length];
        var result = transfer
            ? ContentDecoding.DecodeTransfer(body, codings, MaxBytes)
            : ContentDecoding.Decode(body, codings, MaxBytes);
        Check(result, codings);
    }

    private static void Check(ContentDecoding.Result result, string codings)
    {
        if (result.Failure is { } failure)
        {
            if (failure.Kind is not (HttpFailureKind.TooLarge or HttpFailureKind.Protocol))
            {
                throw new FuzzFinding($"'{codings}': a failure of kind {failure.Kind}");
            }
        }
        else if (result.Body.Length > MaxBytes && codings.Length > 0 && !codings.Contains("compress", StringComparison.Ordinal))
        {
            throw new FuzzFinding($"'{codings}': {result.Body.Length} bytes decoded, above the bound of {MaxBytes}");
        }
    }

    private static void RoundTrip(byte mode, byte[] page)
    {
        var coding = (mode & 3) switch { 0 => "gzip", 1 => "deflate", 2 => "br", _ => "gzip, br" };
        var encoded = page;
        foreach (var one in coding.Split(", "))
        {
            encoded = Encode(one, encoded);
        }

        var result = (mode & 0x40) != 0 && coding is "gzip" or "deflate"
            ? ContentDecoding.DecodeTransfer(encoded, coding + ", chunked", MaxBytes)
            : ContentDecoding.Decode(encoded, coding, MaxBytes);
        if (result.Failure is not null || !result.Body.Span.SequenceEqual(page))
        {
            throw new FuzzFinding($"{coding} round trip of {page.Length} bytes: {result.Failure?.Message ?? $"{result.Body.Length} bytes differ"}");
        }
    }

    private static byte[] Encode(string coding, byte[] data)
    {
        using var output = new MemoryStream();
        using (Stream encoder = coding switch
               {
                   "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
                   "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
                   _ => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
               })
        {
            encoder.Write(data);
        }

        return output.ToArray();
    }
}

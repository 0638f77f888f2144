using System.Net.Http;
using System.Text;
using Crawler.Http.Connection;
using Crawler.Http.Parsing;

namespace Crawler.Http.Tests.Parsing;

/// <summary>Line endings a test input is written with (akka-http's CRLF and LF spec variants).</summary>
public enum LineEnding
{
    CrLf,
    Lf,
}

/// <summary>Drives <see cref="HttpResponseParser"/> the way the connection actor does: fragments are appended to
/// a <see cref="ReadBuffer"/>, the parser consumes what it can, and the connection's close ends the stream.</summary>
public static class ParserHarness
{
    /// <summary>Writes a raw string literal with the given line endings.</summary>
    public static byte[] Wire(string text, LineEnding ending)
    {
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (ending == LineEnding.CrLf)
        {
            normalized = normalized.Replace("\n", "\r\n", StringComparison.Ordinal);
        }

        return Encoding.Latin1.GetBytes(normalized);
    }

    /// <summary>Parses <paramref name="fragments"/> in order, then the close of the connection unless
    /// <paramref name="close"/> is false. Responses after one that is not keep-alive are ignored, as the
    /// connection actor ignores them.</summary>
    public static List<ParserEvent> Run(IEnumerable<byte[]> fragments, HttpParserLimits? limits = null,
        IEnumerable<HttpMethod>? methods = null, bool close = true)
    {
        var parser = new HttpResponseParser(limits);
        foreach (var method in methods ?? [HttpMethod.Get, HttpMethod.Get, HttpMethod.Get, HttpMethod.Get])
        {
            parser.EnqueueRequest(method);
        }

        var handler = new RecordingHandler();
        using var buffer = new ReadBuffer(16);
        var done = false;
        foreach (var fragment in fragments)
        {
            buffer.EnsureAvailable(fragment.Length);
            fragment.CopyTo(buffer.AvailableSpan);
            buffer.Commit(fragment.Length);
            done = Drain(parser, handler, buffer);
            if (done)
            {
                break;
            }
        }

        while (!done && close)
        {
            // The connection closed: the parser finishes a close-delimited body or reports truncation.
            if (buffer.ActiveLength == 0 && !parser.IsResponseStarted && handler.Events.Count > 0)
            {
                break;
            }

            var result = parser.Complete(buffer.ActiveSpan, ref handler);
            buffer.Discard(result.Consumed);
            if (result.Status == ParseStatus.Error)
            {
                handler.Events.Add(new ParserEvent.Failed(result.Error));
            }

            done = result.Status != ParseStatus.ResponseComplete || !KeepAlive(handler);
        }

        return handler.Events;
    }

    private static bool Drain(HttpResponseParser parser, RecordingHandler handler, ReadBuffer buffer)
    {
        while (true)
        {
            var result = parser.Parse(buffer.ActiveSpan, ref handler);
            Assert.InRange(result.Consumed, 0, buffer.ActiveLength);
            buffer.Discard(result.Consumed);
            switch (result.Status)
            {
                case ParseStatus.Error:
                    handler.Events.Add(new ParserEvent.Failed(result.Error));
                    return true;
                case ParseStatus.ResponseComplete when !KeepAlive(handler) || parser.PendingRequests == 0:
                    return true;
                case ParseStatus.ResponseComplete:
                    continue;
                default:
                    return false;
            }
        }
    }

    private static bool KeepAlive(RecordingHandler handler) =>
        handler.Events.OfType<ParserEvent.HeadersComplete>().LastOrDefault()?.KeepAlive ?? false;

    /// <summary>The input whole, byte by byte, and split in two at every offset.</summary>
    public static IEnumerable<(string Name, byte[][] Fragments)> Splits(byte[] raw, bool everyTwoPieceSplit = true)
    {
        yield return ("whole", [raw]);
        yield return ("byte-by-byte", raw.Select(b => new[] { b }).ToArray());
        if (!everyTwoPieceSplit)
        {
            yield break;
        }

        for (var i = 1; i < raw.Length; i++)
        {
            yield return ($"split at {i}", [raw[..i], raw[i..]]);
        }
    }

    /// <summary>Asserts that every split of <paramref name="raw"/> gives <paramref name="expected"/>.</summary>
    public static void AssertParses(byte[] raw, IReadOnlyList<ParserEvent> expected, HttpParserLimits? limits = null,
        IEnumerable<HttpMethod>? methods = null)
    {
        foreach (var (name, fragments) in Splits(raw))
        {
            var actual = Run(fragments, limits, methods?.ToList());
            Assert.True(expected.SequenceEqual(actual),
                $"{name}:\nexpected {string.Join(", ", expected)}\nactual   {string.Join(", ", actual)}");
        }
    }
}

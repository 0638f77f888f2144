using System.Net.Http;
using System.Text;
using Crawler.Http.Parsing;

namespace Crawler.Fuzz.Targets;

/// <summary>
/// The incremental response parser, differentially: the input is parsed whole and again cut at pseudo-random points
/// (the cuts are drawn from the input's first bytes, so a finding replays exactly), as the connection actor feeds
/// it, and both must report the same events (bodies joined), the same outcome, and never consume more than they
/// were given. Byte 0 chooses strictness and the methods of the four queued requests (GET or HEAD); bytes 1-2 seed
/// the cuts; the rest is what the server sent, then the connection closes.
/// </summary>
internal static class ResponseParserTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 3)
        {
            return;
        }

        var options = input[0];
        var seed = input[1] | (input[2] << 8);
        var wire = input[3..].ToArray();
        var limits = new HttpParserLimits(MaxHeaderBytes: 4096, MaxBodyBytes: 1 << 20, LfLineTerminators: (options & 1) == 0);
        var methods = Enumerable.Range(0, 4).Select(i => (options >> (i + 1) & 1) == 1 ? HttpMethod.Head : HttpMethod.Get).ToArray();

        var whole = Parse([wire], limits, methods);
        var cuts = Cut(wire, new Random(seed));
        var pieces = Parse(cuts, limits, methods);
        if (whole != pieces)
        {
            throw new FuzzFinding($"cut at {string.Join(",", cuts.Select(c => c.Length))} the parser said\n{pieces}\nwhole it said\n{whole}");
        }
    }

    private static byte[][] Cut(byte[] wire, Random random)
    {
        var pieces = new List<byte[]>();
        var at = 0;
        while (at < wire.Length)
        {
            var length = Math.Min(wire.Length - at, random.Next(4) == 0 ? 1 : random.Next(1, 64));
            pieces.Add(wire[at..(at + length)]);
            at += length;
        }

        return [.. pieces];
    }

    /// <summary>Feeds <paramref name="pieces"/> as a connection does (keeping the unconsumed tail), then the close;
    /// returns the events as text, one a line.</summary>
    private static string Parse(byte[][] pieces, HttpParserLimits limits, HttpMethod[] methods)
    {
        var parser = new HttpResponseParser(limits);
        foreach (var method in methods)
        {
            parser.EnqueueRequest(method);
        }

        var handler = new TextHandler();
        var held = new List<byte>();
        foreach (var piece in pieces)
        {
            held.AddRange(piece);
            if (Drain(parser, ref handler, held, eof: false))
            {
                return handler.Finish();
            }
        }

        Drain(parser, ref handler, held, eof: true);
        return handler.Finish();
    }

    /// <summary>True when the exchange is over: an error, a response after which the connection is not reused, or
    /// no request left.</summary>
    private static bool Drain(HttpResponseParser parser, ref TextHandler handler, List<byte> held, bool eof)
    {
        while (true)
        {
            var span = held.ToArray().AsSpan();
            var result = eof ? parser.Complete(span, ref handler) : parser.Parse(span, ref handler);
            if (result.Consumed < 0 || result.Consumed > span.Length)
            {
                throw new FuzzFinding($"consumed {result.Consumed} of {span.Length} bytes");
            }

            held.RemoveRange(0, result.Consumed);
            switch (result.Status)
            {
                case ParseStatus.Error:
                    handler.Line($"error {result.Error}");
                    return true;
                case ParseStatus.ResponseComplete when !handler.KeepAlive || parser.PendingRequests == 0:
                    return true;
                case ParseStatus.ResponseComplete:
                    continue;
                default:
                    if (eof)
                    {
                        handler.Line($"eof {result.Status} with {held.Count} bytes held");
                        return true;
                    }

                    return false;
            }
        }
    }

    private struct TextHandler() : IHttpResponseHandler
    {
        private readonly StringBuilder _text = new();
        private long _body;
        private int _hash = 17;

        public bool KeepAlive { get; private set; }

        public void Line(string line) => _text.Append(line).Append('\n');

        public string Finish() => _text.ToString();

        public void OnInterimResponse(int statusCode) => Line($"interim {statusCode}");

        public void OnStatusLine(HttpVersion version, int statusCode, ReadOnlySpan<byte> reasonPhrase) =>
            Line($"status {version} {statusCode} {Convert.ToHexString(reasonPhrase)}");

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
            Line($"header {Convert.ToHexString(name)}: {Convert.ToHexString(value)}");

        public void OnHeadersComplete(BodyFraming framing, long contentLength, bool keepAlive)
        {
            KeepAlive = keepAlive;
            Line($"headers {framing} {contentLength} {keepAlive}");
        }

        public void OnBody(ReadOnlySpan<byte> data)
        {
            _body += data.Length;
            foreach (var b in data)
            {
                _hash = unchecked(_hash * 31 + b);
            }
        }

        public void OnResponseComplete()
        {
            Line($"body {_body} bytes, hash {_hash}");
            Line("complete");
            _body = 0;
            _hash = 17;
        }
    }
}

using System.Text;
using Crawler.Http.Parsing;

namespace Crawler.Http.Tests.Parsing;

/// <summary>What the parser reported, as comparable records.</summary>
public abstract record ParserEvent
{
    public sealed record Interim(int Status) : ParserEvent;

    public sealed record StatusLine(HttpVersion Version, int Status, string Reason) : ParserEvent;

    public sealed record Header(string Name, string Value) : ParserEvent;

    public sealed record HeadersComplete(BodyFraming Framing, long ContentLength, bool KeepAlive) : ParserEvent;

    /// <summary>Consecutive body pieces are merged, so any split of the input gives the same events.</summary>
    public sealed record Body(string Latin1) : ParserEvent;

    public sealed record Complete : ParserEvent;

    public sealed record Failed(HttpParseError Error) : ParserEvent;
}

/// <summary>Turns the parser's callbacks into a list of <see cref="ParserEvent"/>s.</summary>
public sealed class RecordingHandler : IHttpResponseHandler
{
    public List<ParserEvent> Events { get; } = [];

    public void OnInterimResponse(int statusCode) => Events.Add(new ParserEvent.Interim(statusCode));

    public void OnStatusLine(HttpVersion version, int statusCode, ReadOnlySpan<byte> reasonPhrase) =>
        Events.Add(new ParserEvent.StatusLine(version, statusCode, Encoding.Latin1.GetString(reasonPhrase)));

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        Events.Add(new ParserEvent.Header(Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));

    public void OnHeadersComplete(BodyFraming framing, long contentLength, bool keepAlive) =>
        Events.Add(new ParserEvent.HeadersComplete(framing, contentLength, keepAlive));

    public void OnBody(ReadOnlySpan<byte> data)
    {
        Assert.False(data.IsEmpty, "OnBody must not report empty pieces");
        var text = Encoding.Latin1.GetString(data);
        if (Events.Count > 0 && Events[^1] is ParserEvent.Body previous)
        {
            Events[^1] = new ParserEvent.Body(previous.Latin1 + text);
        }
        else
        {
            Events.Add(new ParserEvent.Body(text));
        }
    }

    public void OnResponseComplete() => Events.Add(new ParserEvent.Complete());
}

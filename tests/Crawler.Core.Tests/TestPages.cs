using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Crawler.Http;

namespace Crawler.Core.Tests;

/// <summary>Small HTML pages and canned replies for specs.</summary>
internal static class TestPages
{
    public static string Planet(string href) =>
        $"<html><head><title>Planet</title></head><body><h3><a href=\"{href}\">first</a></h3><h3><a href=\"/second\">second</a></h3></body></html>";

    public static string Article(string title) => $"<html><head><title>{title}</title></head><body><p>text</p></body></html>";

    public static Http.Http.ResponseReceived Response(Http.Http.Send send, int status, string html, string reason = "OK") =>
        new(send.RequestId, send.Url, status, reason, [new("Content-Type", "text/html; charset=utf-8")], Encoding.UTF8.GetBytes(html));

    /// <summary>Answers the next <see cref="Http.Http.Send"/> the probe receives with a page.</summary>
    public static async Task<Http.Http.Send> Serve(TestProbe connection, int status, string html, string reason = "OK")
    {
        var send = await connection.ExpectMsgAsync<Http.Http.Send>();
        connection.Reply(Response(send, status, html, reason));
        return send;
    }
}

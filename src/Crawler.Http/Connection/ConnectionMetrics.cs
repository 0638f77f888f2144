using System.Diagnostics.Metrics;

namespace Crawler.Http.Connection;

/// <summary>The connections' metric, under the crawler's meter name (<c>Crawler</c>, as Crawler.Core's
/// <c>CrawlerTelemetry</c>): <c>crawler.connections.active</c>, connection actors alive (connecting, open or closing).</summary>
internal static class ConnectionMetrics
{
    private static readonly Meter Meter = new("Crawler", typeof(ConnectionMetrics).Assembly.GetName().Version?.ToString());

    private static readonly UpDownCounter<long> Active = Meter.CreateUpDownCounter<long>("crawler.connections.active", "{connection}",
        "HTTP connections of the crawler (connecting, open or closing)");

    public static void Opened() => Active.Add(1);

    public static void Closed() => Active.Add(-1);
}

namespace Crawler.Core.Tests;

/// <summary>Small HTML pages and canned replies for specs.</summary>
internal static class TestPages
{
    public static string Planet(string href) =>
        $"<html><head><title>Planet</title></head><body><h3><a href=\"{href}\">first</a></h3><h3><a href=\"/second\">second</a></h3></body></html>";

    public static string Article(string title) => $"<html><head><title>{title}</title></head><body><p>text</p></body></html>";
}

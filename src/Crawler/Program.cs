namespace Crawler;

/// <summary>The <c>crawler</c> executable.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => CrawlerApp.RunAsync(args, Console.Out, Console.Error, Console.OpenStandardOutput);
}

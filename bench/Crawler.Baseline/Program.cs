using AngleSharp.Html.Parser;

// The seed's job the way a C# user would write it without the crawler: one HttpClient (SocketsHttpHandler), AngleSharp,
// Task.WhenAll. Usage: baseline planets|titles FILE (one URL a line). Prints like the seed; exit 1 if any failed.
// It is the benchmark's yardstick, so it is deliberately plain: no retries, no politeness, no limits.
var mode = args[0];
var urls = File.ReadAllLines(args[1]).Where(l => l.Length > 0).ToList();
using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(60) };
var parser = new HtmlParser();
var failed = 0;

async Task Planet(string planet)
{
    try
    {
        var page = parser.ParseDocument(await http.GetStringAsync(planet));
        var href = page.QuerySelector("h3 > a[href]")?.GetAttribute("href") ?? throw new InvalidOperationException("no article");
        var article = new Uri(new Uri(planet), href);
        var title = parser.ParseDocument(await http.GetStringAsync(article)).QuerySelector("head > title")?.TextContent;
        Console.WriteLine($"first article on {planet} :\n{article}\n{title}\n");
    }
    catch (Exception e)
    {
        Interlocked.Increment(ref failed);
        Console.WriteLine($"failed on {planet} : {e.Message}\n");
    }
}

async Task Title(string url)
{
    try
    {
        Console.WriteLine(parser.ParseDocument(await http.GetStringAsync(url)).QuerySelector("head > title")?.TextContent);
    }
    catch (Exception e)
    {
        Interlocked.Increment(ref failed);
        Console.WriteLine($"failed on {url} : {e.Message}");
    }
}

await Task.WhenAll(urls.Select(url => mode == "titles" ? Title(url) : Planet(url)));
return failed == 0 ? 0 : 1;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Crawler.Examples.Web;
using Crawler.SampleSite;
using Microsoft.AspNetCore.Builder;

namespace Crawler.Examples.Tests;

/// <summary>The minimal-API example end to end: its own Kestrel port on 127.0.0.1, crawling the sample site.</summary>
public sealed class WebExampleSpecs : IAsyncLifetime
{
    private PlanetFarm _farm = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(4, TimeSpan.FromMilliseconds(100)));
        _app = CrawlApi.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning"]);
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _farm.DisposeAsync();
    }

    [Fact]
    public async Task Post_crawl_should_answer_with_every_planets_result_and_the_summary()
    {
        var planets = _farm.PlanetUrls.Append($"{_farm.BaseUri}nowhere/404").ToList();

        using var response = await _client.PostAsJsonAsync("/crawl", planets);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((5, 4, 1), ((int)json["summary"]!["total"]!, (int)json["summary"]!["ok"]!, (int)json["summary"]!["failed"]!));
        var results = json["results"]!.AsArray();
        Assert.Equal(planets, results.Select(r => (string)r!["planet"]!));
        Assert.All(results.Take(4), r => Assert.StartsWith("Article", (string)r!["title"]!, StringComparison.Ordinal));
        Assert.Equal("http-status", (string)results[4]!["error"]!);
        Assert.Equal(1, (int)json["summary"]!["failuresByKind"]!["http-status"]!);
    }

    [Fact]
    public async Task A_background_crawl_should_be_accepted_with_an_id_and_then_reported_done_by_get()
    {
        using var accepted = await _client.PostAsJsonAsync("/crawl?background=true", _farm.PlanetUrls);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (string)JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["id"]!;
        Assert.Equal($"/crawl/{id}", accepted.Headers.Location?.OriginalString);

        JsonNode state;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            state = JsonNode.Parse(await _client.GetStringAsync($"/crawl/{id}"))!;
            if ((string)state["state"]! == "done")
            {
                break;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal("done", (string)state["state"]!);
        Assert.Equal(4, (int)state["summary"]!["ok"]!);
        Assert.Equal(4, state["results"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("{\"planets\": 1}")]
    [InlineData("[]")]
    [InlineData("not json")]
    public async Task A_body_that_is_not_a_list_of_urls_should_be_a_400_with_a_message(string body)
    {
        using var response = await _client.PostAsync("/crawl", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("list", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_crawl_with_mode_titles_should_do_the_trivial_job_and_a_bad_mode_should_be_a_400()
    {
        using var response = await _client.PostAsJsonAsync("/crawl?mode=titles", new[] { _farm.PlanetUrls[0] });
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var result = Assert.Single(json["results"]!.AsArray())!;
        Assert.Equal(_farm.PlanetUrls[0], (string)result["url"]!); // the titles job's field names, as with --json
        Assert.False(string.IsNullOrEmpty((string?)result["title"]));

        using var bad = await _client.PostAsJsonAsync("/crawl?mode=everything", new[] { _farm.PlanetUrls[0] });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Get_of_an_unknown_crawl_should_be_a_404()
    {
        using var response = await _client.GetAsync("/crawl/unknown");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

using Akka.Configuration;
using Crawler.Http.Configuration;

namespace Crawler.Http.Tests;

/// <summary>HTTP client settings for tests: the real <c>hocon/reference.conf</c> with inline overrides.</summary>
public static class TestSettings
{
    private static readonly Lazy<Config> Reference = new(() =>
        ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference.conf"))));

    public static HttpClientSettings Http(string overrides = "") =>
        HttpClientSettings.Create(ConfigurationFactory.ParseString(overrides).WithFallback(Reference.Value).GetConfig("crawler.http"));
}

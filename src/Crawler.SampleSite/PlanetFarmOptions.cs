namespace Crawler.SampleSite;

/// <summary>The shape of a <see cref="PlanetFarm"/>.</summary>
/// <param name="Planets">How many planet pages (<c>/planet/0</c> … <c>/planet/{N-1}</c>).</param>
/// <param name="Delay">How long every response waits before it is sent (a stand-in for network latency).</param>
/// <param name="Port">The port on 127.0.0.1; 0 picks a free one.</param>
public sealed record PlanetFarmOptions(int Planets, TimeSpan Delay, int Port = 0);

namespace Crawler.SampleSite;

/// <summary>The shape of a <see cref="PlanetFarm"/>.</summary>
/// <param name="Planets">How many planet pages (<c>/planet/0</c> … <c>/planet/{N-1}</c>).</param>
/// <param name="Delay">How long every response waits before it is sent (a stand-in for network latency).</param>
/// <param name="Port">The port on 127.0.0.1; 0 picks a free one.</param>
/// <param name="Faults">The fault of each planet (by number); null: none.</param>
public sealed record PlanetFarmOptions(int Planets, TimeSpan Delay, int Port = 0, Func<int, PlanetFault>? Faults = null)
{
    /// <summary>Every tenth planet (9, 19, 29, ...) faulty, cycling through <paramref name="faults"/>.</summary>
    public static Func<int, PlanetFault> EveryTenth(IReadOnlyList<PlanetFault> faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        return n => n % 10 == 9 ? faults[n / 10 % faults.Count] : PlanetFault.None;
    }

    /// <summary>The fault of planet <paramref name="n"/>.</summary>
    public PlanetFault FaultOf(int n) => Faults?.Invoke(n) ?? PlanetFault.None;
}

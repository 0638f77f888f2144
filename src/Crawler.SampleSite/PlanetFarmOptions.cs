namespace Crawler.SampleSite;

/// <summary>The shape of a <see cref="PlanetFarm"/>.</summary>
/// <param name="Planets">How many planet pages (<c>/planet/0</c> … <c>/planet/{N-1}</c>).</param>
/// <param name="Delay">How long every response waits before it is sent (a stand-in for network latency).</param>
/// <param name="Port">The port on 127.0.0.1; 0 picks a free one.</param>
/// <param name="Faults">The fault of each planet (by number); null: none.</param>
public sealed record PlanetFarmOptions(int Planets, TimeSpan Delay, int Port = 0, Func<int, PlanetFault>? Faults = null)
{
    /// <summary>The size of a planet page in bytes: the page is padded after its entries with paragraphs of text up to
    /// this size (0, or less than the page: no padding). The first article link stays in the first kilobyte.</summary>
    public int PageBytes { get; init; }

    /// <summary>How long a planet page takes to send: it goes out in <see cref="DripPieces"/> pieces, the first at once
    /// (after <see cref="Delay"/>), the others evenly spaced over this time. Zero: the page goes out at once.</summary>
    public TimeSpan Drip { get; init; }

    /// <summary>The pieces a dripped planet page is sent in (<see cref="Drip"/>).</summary>
    public int DripPieces { get; init; } = 16;

    /// <summary>How many hosts the farm is: it listens on 127.0.0.1 to 127.0.0.N, one port, and the planets are spread
    /// over them so that every host gets its share of <see cref="EveryTenth"/>'s faulty planets (each loopback address
    /// is a host of its own to a crawler: its own owner, robots.txt, politeness and connections). At most 250.</summary>
    public int Hosts { get; init; } = 1;

    /// <summary>The address of planet <paramref name="n"/>'s host: <c>127.0.0.{1 + (n + n / 10) % N}</c>.</summary>
    public System.Net.IPAddress HostOf(int n) => new([127, 0, 0, (byte)(1 + ((n + (n / 10)) % Math.Clamp(Hosts, 1, 250)))]);

    /// <summary>Every tenth planet (9, 19, 29, ...) faulty, cycling through <paramref name="faults"/>.</summary>
    public static Func<int, PlanetFault> EveryTenth(IReadOnlyList<PlanetFault> faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        return n => n % 10 == 9 ? faults[n / 10 % faults.Count] : PlanetFault.None;
    }

    /// <summary>The fault of planet <paramref name="n"/>.</summary>
    public PlanetFault FaultOf(int n) => Faults?.Invoke(n) ?? PlanetFault.None;
}

using System.Net;
using System.Net.Sockets;

namespace Crawler.Testing;

/// <summary>Ports of 127.0.0.1 that nothing listens on now (taken from the kernel, then let go), for servers and nodes
/// that a spec starts on a port it must know in advance.</summary>
public static class FreePorts
{
    /// <summary>One free port.</summary>
    public static int One() => Many(1)[0];

    /// <summary><paramref name="count"/> distinct free ports (all held at once while they are chosen).</summary>
    public static int[] Many(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}

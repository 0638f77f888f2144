using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Crawler.Testing;

/// <summary>
/// A real forward proxy for tests: tinyproxy (Debian's package, installed by <c>.ci/run</c>) started in the foreground
/// on a free port of 127.0.0.1 with its own configuration and log in a temporary folder, optionally demanding Basic
/// credentials; stopped by its PID.
/// </summary>
public sealed class TinyProxy : IAsyncDisposable
{
    private const string Binary = "/usr/bin/tinyproxy";
    private readonly Process _process;
    private readonly string _directory;

    private TinyProxy(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>True when tinyproxy is installed here.</summary>
    public static bool IsInstalled => File.Exists(Binary);

    public int Port { get; }

    /// <summary>The proxy URL, with <paramref name="credentials"/> (<c>user:password</c>) when given.</summary>
    public string Url(string? credentials = null) => credentials is null ? $"http://127.0.0.1:{Port}" : $"http://{credentials}@127.0.0.1:{Port}";

    /// <summary>What tinyproxy logged so far.</summary>
    public string Log()
    {
        var path = Path.Combine(_directory, "tinyproxy.log");
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Starts tinyproxy; with <paramref name="basicAuth"/> (<c>user password</c>) it answers 407 without them.</summary>
    public static async Task<TinyProxy> StartAsync(string? basicAuth = null)
    {
        var directory = Directory.CreateTempSubdirectory("crawler-tinyproxy-").FullName;
        var port = FreePorts.One();
        var config = Path.Combine(directory, "tinyproxy.conf");
        await File.WriteAllTextAsync(config, $"""
            Port {port}
            Listen 127.0.0.1
            Timeout 30
            MaxClients 100
            Allow 127.0.0.1
            LogLevel Info
            LogFile "{directory}/tinyproxy.log"
            PidFile "{directory}/tinyproxy.pid"
            {(basicAuth is null ? string.Empty : $"BasicAuth {basicAuth}")}
            """);
        var process = Process.Start(new ProcessStartInfo(Binary, ["-d", "-c", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var proxy = new TinyProxy(process, directory, port);
        for (var waited = 0; waited < 100; waited++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"tinyproxy exited at once ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return proxy;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await proxy.DisposeAsync();
        throw new TimeoutException("tinyproxy did not listen within 5 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(); // by its PID, never by name
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

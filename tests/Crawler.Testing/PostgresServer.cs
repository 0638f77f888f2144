using System.Diagnostics;

namespace Crawler.Testing;

/// <summary>
/// A real PostgreSQL server for tests (Debian's <c>postgresql</c> package, installed by <c>.ci/run</c>): a new database
/// cluster in a temporary folder (<c>initdb</c>, trust authentication for one user), listening on a free port of
/// 127.0.0.1 only, with its socket in that folder; stopped (immediate) and removed when disposed. As root (CI), the
/// server runs as the <c>postgres</c> user, which PostgreSQL demands.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string User = "crawler";
    private readonly string _bin;
    private readonly string _directory;

    private PostgresServer(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
    }

    /// <summary>The folder of initdb and pg_ctl, or null when PostgreSQL is not installed.</summary>
    public static string? BinFolder => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order().LastOrDefault()
        : null;

    /// <summary>True when CI demands the server (<c>CRAWLER_REQUIRE_POSTGRES=1</c>, set by <c>.ci/run</c>): a spec must then
    /// fail, not skip, when it is missing.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("CRAWLER_REQUIRE_POSTGRES") == "1";

    public int Port { get; }

    /// <summary>The Npgsql connection string of the server's <c>postgres</c> database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={User};Database=postgres;Pooling=true";

    /// <summary>Starts a new server.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = BinFolder ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql)");
        var directory = Directory.CreateTempSubdirectory("crawler-postgres-").FullName;
        var data = Path.Combine(directory, "data");
        var port = FreePorts.One();
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["-R", "postgres", directory], asPostgres: false);
        }

        var server = new PostgresServer(bin, directory, port);
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", User, "--auth=trust", "-E", "UTF8", "--no-sync"], asPostgres: true);
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], asPostgres: true);
        return server;
    }

    /// <summary>What the server logged so far.</summary>
    public string Log() => File.Exists(Path.Combine(_directory, "server.log")) ? File.ReadAllText(Path.Combine(_directory, "server.log")) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"], asPostgres: true);
        }
        finally
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the machine cleans its temp folder
            }
        }
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = asPostgres && Environment.UserName == "root"
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }

}

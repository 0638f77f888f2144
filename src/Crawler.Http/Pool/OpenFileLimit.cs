using System.Runtime.InteropServices;

namespace Crawler.Http.Pool;

/// <summary>
/// The process's limit on open files (<c>ulimit -n</c>), which bounds its sockets: a crawl that opens more connections
/// than it allows fails each extra socket with <c>EMFILE</c>, and the runtime itself then fails in odd places (type
/// initialisers, timers). The pool caps its connections below this limit (see <see cref="ConnectionCap"/>).
/// </summary>
internal static partial class OpenFileLimit
{
    /// <summary>Files kept for everything but the crawl's sockets: the runtime, its libraries, logs, the output.</summary>
    public const int Reserve = 128;

    private const int LinuxNoFile = 7;
    private const int BsdNoFile = 8;

    /// <summary>The soft limit on open files, or null where there is none to read (Windows) or it cannot be read.</summary>
    public static long? Current()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            var resource = OperatingSystem.IsLinux() ? LinuxNoFile : BsdNoFile;
            return GetRLimit(resource, out var limit) == 0 && limit.Current < long.MaxValue ? (long)limit.Current : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The number of connections a pool may hold open: <paramref name="configured"/> (0 = no limit of ours), lowered
    /// to the open-file limit less <see cref="Reserve"/> when that is smaller (0 stays 0 only where there is no limit
    /// to read); <paramref name="lowered"/> says whether a configured number was lowered.
    /// </summary>
    public static int ConnectionCap(int configured, long? fileLimit, out bool lowered)
    {
        lowered = false;
        if (fileLimit is not { } files)
        {
            return configured;
        }

        var room = (int)Math.Clamp(files - Reserve, 1, int.MaxValue);
        if (configured == 0)
        {
            return room;
        }

        lowered = configured > room;
        return lowered ? room : configured;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}

using System.Runtime.InteropServices;

namespace Crawler;

/// <summary>
/// The process's stdin, stdout and stderr when the shell closed them (<c>&gt;&amp;-</c>, <c>2&gt;&amp;-</c>): a closed
/// descriptor 0, 1 or 2 would be the next one the kernel hands out, to a socket, and the crawler's output or log
/// would then be written into an HTTP connection. Each closed one is opened on /dev/null before anything else
/// opens a file or socket, and reported, so that the host can say so instead of writing into nothing.
/// </summary>
internal static partial class StandardStreams
{
    private const int GetDescriptorFlags = 1; // F_GETFD
    private const int ReadWrite = 2; // O_RDWR

    private const int GetStatusFlags = 3; // F_GETFL
    private const int AccessModeMask = 3; // O_ACCMODE
    private const int ReadOnly = 0; // O_RDONLY

    /// <summary>Opens /dev/null on each of descriptors 0-2 that is closed; true for each that was (stdin, stdout, stderr).
    /// A closed stdout or stderr may already have been reused by the .NET runtime itself before <c>Main</c> (its
    /// signal pipe, a file it reads): such a descriptor counts as closed too, and is left to the runtime.</summary>
    public static (bool Stdin, bool Stdout, bool Stderr) ReopenClosed()
    {
        if (OperatingSystem.IsWindows())
        {
            return (false, false, false);
        }

        var closed = new bool[3];
        for (var fd = 0; fd < 3; fd++)
        {
            if (Fcntl(fd, GetDescriptorFlags) == -1)
            {
                closed[fd] = true;
                var opened = Open("/dev/null", ReadWrite);
                if (opened >= 0 && opened != fd)
                {
                    _ = Dup2(opened, fd);
                    _ = Close(opened);
                }
            }
            else if (fd > 0 && TakenByThisProcess(fd))
            {
                closed[fd] = true;
            }
        }

        return (closed[0], closed[1], closed[2]);
    }

    /// <summary>True when descriptor <paramref name="fd"/> (1 or 2) is not an output the shell gave: open read-only, or
    /// a pipe whose read end this process holds (no reader elsewhere).</summary>
    private static bool TakenByThisProcess(int fd)
    {
        if ((Fcntl(fd, GetStatusFlags) & AccessModeMask) == ReadOnly)
        {
            return true;
        }

        try
        {
            var target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            if (target is null || !(target.StartsWith("pipe:", StringComparison.Ordinal) || target.StartsWith("anon_inode:", StringComparison.Ordinal)))
            {
                return false;
            }

            // The runtime duplicates stdout and stderr for itself, so a second write end proves nothing; a read end of
            // the same pipe in this process does: then nobody outside reads what is written to it.
            return Directory.EnumerateFileSystemEntries("/proc/self/fd")
                .Where(entry => new FileInfo(entry).LinkTarget == target)
                .Select(entry => int.TryParse(Path.GetFileName(entry), System.Globalization.CultureInfo.InvariantCulture, out var other) ? other : -1)
                .Any(other => other >= 0 && (Fcntl(other, GetStatusFlags) & AccessModeMask) == ReadOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // no /proc: nothing more to tell
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int from, int to);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

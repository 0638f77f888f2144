using Microsoft.Data.Sqlite;

namespace Crawler.Journal;

/// <summary>
/// A job journal in a SQLite file, checked before any actor touches it: a file that is not a database, is read-only
/// (by its mode bits, which are honoured even for root) or sits in a folder that does not exist is refused with one
/// clear line (<see cref="JournalException"/>) instead of an actor failing at recovery. A new file is created in WAL
/// mode, which lets a reader (<c>crawler jobs</c>) look while a crawl writes.
/// </summary>
public static class JournalFile
{
    private const int SqliteNotADatabase = 26;
    private const int SqliteReadOnly = 8;
    private const int SqliteCannotOpen = 14;

    /// <summary>The connection string of the journal at <paramref name="path"/>, checked for writing (created when
    /// <paramref name="create"/> and absent).</summary>
    /// <exception cref="JournalException">The file cannot be used as a journal.</exception>
    public static string Open(string path, bool create = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new JournalException($"--journal: '{path}' is a directory");
        }

        if (!File.Exists(full))
        {
            if (!create)
            {
                throw new JournalException($"--journal: '{path}' does not exist");
            }

            if (Path.GetDirectoryName(full) is { } folder && !Directory.Exists(folder))
            {
                throw new JournalException($"--journal: the folder '{folder}' does not exist");
            }
        }
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(full) & UnixFileMode.UserWrite) == 0)
        {
            throw new JournalException($"--journal: '{path}' is read-only");
        }
        else if (OperatingSystem.IsWindows() && File.GetAttributes(full).HasFlag(FileAttributes.ReadOnly))
        {
            throw new JournalException($"--journal: '{path}' is read-only");
        }

        var connection = ConnectionString(full);
        try
        {
            using var sqlite = new SqliteConnection(connection);
            sqlite.Open();
            using var command = sqlite.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA schema_version;";
            command.ExecuteScalar();
        }
        catch (SqliteException e)
        {
            throw new JournalException(e.SqliteErrorCode switch
            {
                SqliteNotADatabase => $"--journal: '{path}' is not a SQLite database",
                SqliteReadOnly => $"--journal: '{path}' is read-only",
                SqliteCannotOpen => $"--journal: cannot open '{path}'",
                _ => $"--journal: '{path}' cannot be used: {e.Message}",
            }, e);
        }
        finally
        {
            SqliteConnection.ClearAllPools(); // no handle stays open on the file before the journal's own
        }

        return connection;
    }

    /// <summary>The connection string for the SQLite file <paramref name="path"/>: a busy file is waited for up to
    /// 30 s (another process writing), never failed at once.</summary>
    public static string ConnectionString(string path) =>
        new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), DefaultTimeout = 30, Pooling = true }.ToString();
}

using Crawler.Testing;
using Microsoft.Data.Sqlite;

namespace Crawler.Journal.Tests;

public sealed class JournalFileSpecs : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crawler-journal-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_new_file_is_created_as_a_sqlite_database_in_wal_mode()
    {
        var path = Path.Combine(_folder, "new.db");
        var connection = JournalFile.Open(path);
        Assert.True(File.Exists(path));
        using var sqlite = new SqliteConnection(connection);
        sqlite.Open();
        using var command = sqlite.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused()
    {
        var path = Path.Combine(_folder, "text.db");
        File.WriteAllText(path, "these are not the pages you are looking for\n" + new string('x', 200));
        var e = Assert.Throws<JournalException>(() => JournalFile.Open(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal("these are not the pages you are looking for", File.ReadLines(path).First()); // left as it was
    }

    [Fact]
    public void A_read_only_file_is_refused_even_for_root()
    {
        var path = Path.Combine(_folder, "ro.db");
        JournalFile.Open(path);
        TestFiles.MakeReadOnly(path);
        Assert.Throws<JournalException>(() => JournalFile.Open(path));
    }

    [Fact]
    public void A_folder_a_missing_folder_and_a_missing_file_that_must_exist_are_refused()
    {
        Assert.Throws<JournalException>(() => JournalFile.Open(_folder));
        Assert.Throws<JournalException>(() => JournalFile.Open(Path.Combine(_folder, "no", "such.db")));
        Assert.Throws<JournalException>(() => JournalFile.Open(Path.Combine(_folder, "absent.db"), create: false));
        Assert.False(File.Exists(Path.Combine(_folder, "absent.db")));
    }
}

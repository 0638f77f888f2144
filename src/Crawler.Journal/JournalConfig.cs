using Akka.Configuration;
using Akka.Persistence.Sql;

namespace Crawler.Journal;

/// <summary>The Akka configuration of a job journal: <c>journal.conf</c> (serializer, plugins) with the connection
/// filled in, over Akka.Persistence.Sql's defaults (which plain HOCON does not inject by itself).</summary>
public static class JournalConfig
{
    /// <summary>The linq2db provider of SQLite through Microsoft.Data.Sqlite.</summary>
    public const string SqliteProvider = "SQLite.MS";

    /// <summary>The configuration for a journal at <paramref name="connectionString"/> with the linq2db provider
    /// <paramref name="provider"/> (<see cref="SqliteProvider"/>, or e.g. <c>PostgreSQL.15</c>).</summary>
    public static Config For(string connectionString, string provider = SqliteProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        var connection = $"""
            connection-string = {Quote(connectionString)}
            provider-name = {Quote(provider)}
            """;
        return ConfigurationFactory.ParseString($$"""
                akka.persistence.journal.sql { {{connection}} }
                akka.persistence.snapshot-store.sql { {{connection}} }
                akka.persistence.query.journal.sql { {{connection}} }
                """)
            .WithFallback(Embedded.Value)
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    private static readonly Lazy<Config> Embedded = new(() => ConfigurationFactory.FromResource("Crawler.Journal.journal.conf", typeof(JournalConfig).Assembly));

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}

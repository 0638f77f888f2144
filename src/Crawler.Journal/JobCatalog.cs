using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core;
using Crawler.Core.Output;

namespace Crawler.Journal;

/// <summary>The jobs a journal holds (<c>crawler jobs</c>), read with Akka.Persistence.Query: each job's events folded
/// into its <see cref="JobState"/>, without starting its ledger.</summary>
public static class JobCatalog
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every job of the journal configured in <paramref name="system"/>, in name order.</summary>
    /// <exception cref="TimeoutException">The journal did not answer within <paramref name="timeout"/>.</exception>
    public static async Task<IReadOnlyList<(string Name, JobState State)>> ListAsync(ActorSystem system, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(system);
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var materializer = system.Materializer();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var ids = await journal.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), materializer).WaitAsync(deadline.Token).ConfigureAwait(false);
            var jobs = new List<(string, JobState)>();
            foreach (var id in ids.Order(StringComparer.Ordinal))
            {
                if (JobLedger.NameOf(id) is not { } name)
                {
                    continue;
                }

                var state = await journal.CurrentEventsByPersistenceId(id, 0, long.MaxValue)
                    .RunAggregate(JobState.Empty, (s, e) => e.Event is IJobEvent @event ? s.Apply(@event) : s, materializer)
                    .WaitAsync(deadline.Token).ConfigureAwait(false);
                if (state.Started is not null)
                {
                    jobs.Add((name, state));
                }
            }

            return jobs;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no answer in {timeout.TotalSeconds:0} s"));
        }
    }

    /// <summary>One job as a line of text (<c>NAME planets 35/120 done: 30 ok, 5 failed; started AT</c>) or of JSON.</summary>
    public static string Format(string name, JobState state, ResultFormat format)
    {
        ArgumentNullException.ThrowIfNull(state);
        var started = state.Started ?? throw new ArgumentException("the job has not started", nameof(state));
        var mode = started.Mode == CrawlMode.Titles ? "titles" : "planets";
        var failed = state.Done - state.Ok;
        var at = started.StartedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (format == ResultFormat.Text)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"{name} {mode} {state.Done}/{started.PlanetCount} done: {state.Ok} ok, {failed} failed; {(state.Finished ? "finished" : "unfinished")}; started {at}\n");
        }

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("job", name);
            json.WriteString("mode", mode);
            json.WriteNumber("planets", started.PlanetCount);
            json.WriteNumber("done", state.Done);
            json.WriteNumber("ok", state.Ok);
            json.WriteNumber("failed", failed);
            json.WriteBoolean("finished", state.Finished);
            json.WriteString("startedAt", at);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}

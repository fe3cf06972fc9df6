using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace TraceViewer.Bench;

/// <summary>
/// The queries a page sends, caught from EF Core's diagnostic events while one request runs, and their PostgreSQL plans:
/// each SELECT run again under <c>EXPLAIN (ANALYZE, BUFFERS)</c> on its own connection, so the server's execution time
/// (its CPU and reads, without the app, the network or the rendering) and every sequential scan are seen per page.
/// </summary>
internal static partial class QueryPlans
{
    /// <summary>One caught query: its text and a copy of its parameters.</summary>
    internal sealed record Caught(string Text, IReadOnlyList<NpgsqlParameter> Parameters);

    /// <summary>A page's queries: how many, the sum and largest of their execution times, planning, and the tables read whole.</summary>
    internal sealed record PageQueries(int Count, double Execution, double Slowest, double Planning, IReadOnlyList<string> SeqScans, string Plans);

    /// <summary>Runs <paramref name="request"/> and returns the queries it sent (the jobs worker's and the key store's left out).</summary>
    public static async Task<List<Caught>> CatchAsync(Func<Task> request)
    {
        using var catcher = new Catcher();
        await request();
        return catcher.Taken();
    }

    public static async Task<PageQueries> ExplainAsync(string connectionString, IReadOnlyList<Caught> queries)
    {
        var text = new StringBuilder();
        double execution = 0, slowest = 0, planning = 0;
        var scans = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var query in queries)
        {
            await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + query.Text, connection);
            foreach (var parameter in query.Parameters)
            {
                command.Parameters.Add(parameter.Clone());
            }

            var lines = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    lines.Add(reader.GetString(0));
                }
            }

            foreach (var line in lines)
            {
                if (Timing().Match(line) is { Success: true } m)
                {
                    var ms = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                    if (m.Groups[1].Value == "Execution")
                    {
                        execution += ms;
                        slowest = Math.Max(slowest, ms);
                    }
                    else
                    {
                        planning += ms;
                    }
                }

                if (SeqScan().Match(line) is { Success: true } scan)
                {
                    scans.Add($"{scan.Groups[1].Value} ({scan.Groups[2].Value} rows x {scan.Groups[3].Value})");
                }
            }

            text.AppendLine(query.Text);
            foreach (var parameter in query.Parameters)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  -- {parameter.ParameterName} = {Show(parameter.Value)}");
            }

            text.AppendLine(string.Join('\n', lines)).AppendLine();
        }

        return new PageQueries(queries.Count, execution, slowest, planning, scans, text.ToString());
    }

    private static string Show(object? value) => value switch
    {
        null or DBNull => "NULL",
        string s => "'" + s + "'",
        System.Collections.IEnumerable list => "{" + string.Join(",", list.Cast<object?>().Take(20).Select(Show)) + "}",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    [GeneratedRegex(@"^(Planning|Execution) Time: ([0-9.]+) ms")]
    private static partial Regex Timing();

    [GeneratedRegex(@"Seq Scan on (\S+).*actual time=\S+ rows=(\d+) loops=(\d+)")]
    private static partial Regex SeqScan();

    /// <summary>Catches the commands EF Core starts (its CommandExecuting event), with their parameters copied at once.</summary>
    private sealed class Catcher : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly List<IDisposable> _subscriptions = [];
        private readonly List<Caught> _caught = [];

        public Catcher() => _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));

        public List<Caught> Taken()
        {
            lock (_caught)
            {
                return [.. _caught];
            }
        }

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == "Microsoft.EntityFrameworkCore")
            {
                lock (_subscriptions)
                {
                    _subscriptions.Add(listener.Subscribe(this, name => name == "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuting"));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Value is not CommandEventData { Command: var command })
            {
                return;
            }

            var text = command.CommandText;
            var start = text.TrimStart();
            if (!(start.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || start.StartsWith("WITH", StringComparison.OrdinalIgnoreCase))
                || text.Contains("FROM \"Job", StringComparison.Ordinal) || text.Contains("\"DataProtectionKeys\"", StringComparison.Ordinal))
            {
                return;
            }

            var parameters = command.Parameters.OfType<NpgsqlParameter>().Select(p => p.Clone()).ToList();
            lock (_caught)
            {
                _caught.Add(new Caught(text, parameters));
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }
    }
}

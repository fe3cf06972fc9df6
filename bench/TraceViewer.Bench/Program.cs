namespace TraceViewer.Bench;

/// <summary>A named entry point, so <c>Program</c> means the web app's (for WebApplicationFactory).</summary>
internal static class BenchProgram
{
    // The first argument picks the benchmark: `dotnet run -c Release --project bench/TraceViewer.Bench -- trace-page`.
    public static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "metrics" => MetricsBenchmark.Run(args[1..]),
        "trace-page" => await TracePageBenchmark.RunAsync(args[1..]),
        "pages" => await PagesBenchmark.RunAsync(args[1..]),
        "jobs" => await JobsBenchmark.RunAsync(args[1..]),
        "jobs-instances" => await JobsInstancesBenchmark.RunAsync(args[1..]),
        "agreement" => AgreementBenchmark.RunAgreement(args[1..]),
        "agreement-db" => await AgreementDatabaseBenchmark.RunAsync(args[1..]),
        "tag-effects" => AgreementBenchmark.RunTagEffects(args[1..]),
        "search" => await SearchBenchmark.RunAsync(args[1..]),
        "search-scale" => await SearchScaleBenchmark.RunAsync(args[1..]),
        "study-scale" => await StudyScaleBenchmark.RunAsync(args[1..]),
        "study-scale-pg" => await StudyScaleBenchmark.RunAsync(args[1..], postgres: true),
        "keystroke" => await KeystrokeBenchmark.RunAsync(args[1..]),
        "kinds" => await KindsBenchmark.RunAsync(args[1..]),
        "import" => await ImportBenchmark.RunAsync(args[1..]),
        "import-child" => await ImportBenchmark.RunChildAsync(args[1..]),
        "import-phases" => ImportPhasesBenchmark.Run(args[1..]),
        "telemetry" => await TelemetryBenchmark.RunAsync(args[1..]),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("usage: TraceViewer.Bench metrics [case.json] | trace-page [requests] | pages [requests] [views] | jobs [requests] | jobs-instances [requests] [runs] | agreement [items] [replicates] | agreement-db [items] [annotators] | tag-effects [traces] [replicates] | search [runs] [copies] | search-scale [traces] [sentences] [runs] | study-scale [traces] [sentences] [resamples] [runs] | study-scale-pg [traces] [sentences] [resamples] [runs] | kinds [traces] [runs] [database file] [phases] | keystroke [presses] | import [runs] | import-phases folder [runs] | telemetry [requests] [job requests] [rounds]");
        return 1;
    }
}

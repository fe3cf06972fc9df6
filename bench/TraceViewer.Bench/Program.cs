using TraceViewer.Bench;

// The first argument picks the benchmark: `dotnet run -c Release --project bench/TraceViewer.Bench -- metrics`.
return args.FirstOrDefault() switch
{
    "metrics" => MetricsBenchmark.Run(args[1..]),
    "jobs" => await JobsBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: TraceViewer.Bench metrics [case.json] | jobs [requests]");
    return 1;
}

namespace TraceViewer.Jobs;

internal static class JobsExtensions
{
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IModelClient, OpenAIModelClient>();
        builder.Services.AddSingleton<ProviderGates>();
        builder.Services.AddSingleton<JobMetrics>();
        builder.Services.AddSingleton(sp => new GatedModelClient(sp.GetRequiredService<IModelClient>(), sp.GetRequiredService<ProviderGates>(), sp.GetRequiredService<JobMetrics>()));
        builder.Services.AddSingleton<JobSignal>();
        builder.Services.AddSingleton<JobProgressFeed>();
        builder.Services.AddSingleton<IJobProgressFeed>(sp => sp.GetRequiredService<JobProgressFeed>());
        builder.Services.AddSingleton<IJobCommands, JobCommands>();
        builder.Services.AddSingleton<ResampleSources>();
        builder.Services.AddScoped<JobService>();
        builder.Services.AddScoped<JobStatusQuery>();
        builder.Services.AddScoped<JobPageQueries>();
        builder.Services.AddScoped<ResampleTargetQueries>();
        builder.Services.AddJobHandlers();
        builder.Services.AddSingleton<JobWorkerHeartbeat>();
        builder.Services.AddSingleton<JobInstance>();
        // The worker's parts, and the state they share.
        builder.Services.AddSingleton<InstalledJobKinds>();
        builder.Services.AddSingleton<HeldClaims>();
        builder.Services.AddSingleton<JobWriteTurn>();
        builder.Services.AddSingleton<RunningJobs>();
        builder.Services.AddSingleton<JobSnapshots>();
        builder.Services.AddSingleton<JobWorkerLoad>();
        builder.Services.AddSingleton<JobCompletion>();
        builder.Services.AddSingleton<TraceRecomputeQueue>();
        builder.Services.AddSingleton<JobResultWriter>();
        builder.Services.AddSingleton<JobItemRunner>();
        builder.Services.AddSingleton<JobLeaseRenewer>();
        builder.Services.AddSingleton<JobScheduler>();
        builder.Services.AddHostedService<JobWorker>();
        return builder;
    }

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app) => app.MapJobsApi();
}

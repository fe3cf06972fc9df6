using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TraceViewer.Data;
using TraceViewer.Datasets;

namespace TraceViewer.Import;

internal static partial class ImportExtensions
{
    public static IHostApplicationBuilder AddImport(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SampleDataOptions>().BindConfiguration(SampleDataOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<ImportService>();
        builder.Services.AddSingleton<ImportProgressBoard>();
        // Upload limits must apply before anything could read the body, so they sit at the front of the pipeline.
        builder.Services.AddTransient<IStartupFilter, ImportUploadLimits>();
        builder.Services.AddScoped<NativeJsonlExporter>();
        return builder;
    }

    /// <summary>Imports the bundled sample data when the database has no dataset (unless turned off).</summary>
    public static async Task ImportSampleDataIfEmptyAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var logger = scope.ServiceProvider.GetRequiredService<ILogger<ImportService>>();
        if (!scope.ServiceProvider.GetRequiredService<IOptions<SampleDataOptions>>().Value.ImportOnStart)
        {
            LogSampleDataOff(logger);
            return;
        }

        var db = scope.ServiceProvider.GetRequiredService<TraceViewerDbContext>();
        if (await db.Set<Dataset>().AnyAsync(ct))
        {
            LogSampleDataSkipped(logger);
            return;
        }

        var folder = Path.Combine(AppContext.BaseDirectory, "SampleData");
        if (!Directory.Exists(folder))
        {
            LogSampleDataMissing(logger, folder);
            return;
        }

        try
        {
            var summary = await scope.ServiceProvider.GetRequiredService<ImportService>().ImportAsync(folder, namesAboveRoot: false, null, ct);
            LogSampleDataImported(logger, summary.TracesAdded, summary.Datasets, folder);
        }
        catch (Exception e) when (e is ImportException or DatabaseWriteException)
        {
            // A broken sample folder should not keep the app from starting.
            LogSampleDataFailed(logger, e, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sample data: ImportOnStart is off; nothing imported")]
    private static partial void LogSampleDataOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sample data: the database already has datasets; nothing imported")]
    private static partial void LogSampleDataSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sample data: folder {Folder} not found; nothing imported")]
    private static partial void LogSampleDataMissing(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sample data: imported {Traces} traces in {Datasets} datasets from {Folder}")]
    private static partial void LogSampleDataImported(ILogger logger, int traces, int datasets, string folder);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sample data: import failed: {Message}")]
    private static partial void LogSampleDataFailed(ILogger logger, Exception exception, string message);
}

using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using TraceViewer.Accounts;
using TraceViewer.Agreement;
using TraceViewer.Analyses;
using TraceViewer.Data;
using TraceViewer.Datasets;
using TraceViewer.Embeddings;
using TraceViewer.Import;
using TraceViewer.Jobs;
using TraceViewer.Kinds;
using TraceViewer.MetricSets;
using TraceViewer.Providers;
using TraceViewer.Queues;
using TraceViewer.Search;
using TraceViewer.Sharing;
using TraceViewer.Snapshot;
using TraceViewer.Studies;
using TraceViewer.Tags;
using TraceViewer.Traces;
using TraceViewer.Views;
using TraceViewer.Web;

namespace TraceViewer;

/// <summary>
/// What the web server and the offline commands share: the settings beside the binary, and every feature's data,
/// queries and writers, registered in one order (the order of startup steps, interceptors and followers of writes).
/// </summary>
internal static class AppServices
{
    /// <summary>
    /// `dotnet run` keeps the caller's directory as content root: the defaults shipped beside the binary come first.
    /// </summary>
    public static void AddDefaultSettings(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        });

    /// <summary>Commands print their results on stdout, so logs go to stderr.</summary>
    public static void LogToStandardError(ILoggingBuilder logging) =>
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

    /// <summary>Every feature's services that do not serve HTTP, in the order the web server has always added them.</summary>
    public static void AddFeatures(IHostApplicationBuilder builder)
    {
        builder.AddData();
        builder.AddDataProtectionKeys();
        builder.AddAccounts();
        builder.AddProviders();
        builder.AddEmbeddings();
        builder.AddImport();
        builder.AddMetrics();
        builder.AddTraces();
        builder.AddSearch();
        builder.AddTags();
        builder.AddQueues();
        builder.AddStudies();
        builder.AddAnalyses();
        builder.AddAgreement();
        builder.AddKinds();
        builder.AddSharing();
        builder.AddDatasetVisibility();
        builder.AddViews();
        builder.AddSnapshot();
        builder.AddJobs();
    }
}

/// <summary>
/// The host of the commands that only read and write data (those <see cref="CommandLine"/> lists as not needing the web
/// server: `import`, `export`, the tag files, `metrics`, `recompute`, `agreement`): a generic host with the features' services and none of the web server (no Kestrel, Razor components,
/// MudBlazor, OpenAPI, health checks or telemetry), which such a command never starts. `users` and `publish` (which
/// renders pages) keep the web application's services. Settings are read as the web server reads them: the defaults
/// beside the binary, appsettings.json and its environment's file in the working folder, user secrets in Development,
/// environment variables; the environment is named by ASPNETCORE_ENVIRONMENT or DOTNET_ENVIRONMENT.
/// </summary>
internal static class CommandHost
{
    /// <param name="configure">More settings (the benchmark's), added before the features read them.</param>
    public static IHost Build(Action<IHostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // As WebApplication: ASPNETCORE_ENVIRONMENT wins over DOTNET_ENVIRONMENT; Production when neither is set.
            EnvironmentName = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"),
            ContentRootPath = Directory.GetCurrentDirectory(),
            ApplicationName = typeof(CommandHost).Assembly.GetName().Name,
        });
        AppServices.LogToStandardError(builder.Logging);
        AppServices.AddDefaultSettings(builder.Configuration);
        // Before the features, which read some settings (the database provider) as they register.
        configure?.Invoke(builder);
        builder.Services.AddSingleton(TimeProvider.System);
        AppServices.AddFeatures(builder);
        // Some registered services serve pages (and need the web server's services); a command never asks for them, so
        // they are not checked when the container is built, as Development would otherwise do.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions
        {
            ValidateScopes = builder.Environment.IsDevelopment(),
            ValidateOnBuild = false,
        }));
        return builder.Build();
    }
}

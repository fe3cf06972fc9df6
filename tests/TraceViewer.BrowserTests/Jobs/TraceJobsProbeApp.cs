using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace TraceViewer.BrowserTests.Jobs;

/// <summary>
/// Serves <see cref="TraceJobsProbeDocument"/> at <see cref="Path"/>?trace=id in front of the app's own pipeline: the
/// interactive jobs panel while the trace page that will hold it still renders statically.
/// </summary>
internal sealed class TraceJobsProbeApp : IStartupFilter
{
    public const string Path = "/trace-jobs-probe";

    public static void Register(IServiceCollection services) => services.AddTransient<IStartupFilter, TraceJobsProbeApp>();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, proceed) =>
        {
            if (context.Request.Path == Path && int.TryParse(context.Request.Query["trace"], CultureInfo.InvariantCulture, out var trace))
            {
                await new RazorComponentResult<TraceJobsProbeDocument>(new { TraceId = trace }).ExecuteAsync(context);
                return;
            }

            await proceed(context);
        });
        next(app);
    };
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace TraceViewer.BrowserTests.Charts;

/// <summary>Serves <see cref="ChartProbeDocument"/> at <see cref="Path"/> in front of the app's own pipeline.</summary>
internal sealed class ChartProbeApp : IStartupFilter
{
    public const string Path = "/chart-probe";

    public static void Register(IServiceCollection services) => services.AddTransient<IStartupFilter, ChartProbeApp>();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, proceed) =>
        {
            if (context.Request.Path == Path)
            {
                await new RazorComponentResult<ChartProbeDocument>().ExecuteAsync(context);
                return;
            }

            await proceed(context);
        });
        next(app);
    };
}

/// <summary>The browser app with the chart probe page.</summary>
public sealed class ChartBrowserApp() : BrowserApp(ChartProbeApp.Register);

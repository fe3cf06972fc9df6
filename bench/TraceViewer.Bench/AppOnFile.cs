using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TraceViewer.Bench;

/// <summary>The real app on its own SQLite file with quiet logs, as in production; the bundled sample data only when asked.</summary>
internal sealed class AppOnFile(string databasePath, bool importSampleData = false) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:TraceViewer", $"Data Source={databasePath}");
        builder.UseSetting("SampleData:ImportOnStart", importSampleData ? "true" : "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}

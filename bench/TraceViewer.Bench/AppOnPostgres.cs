using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TraceViewer.Bench;

/// <summary>The real app on a PostgreSQL database (migrated by the app at start-up) with quiet logs, as in production.</summary>
internal sealed class AppOnPostgres(string connectionString) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Database:Provider", "PostgreSQL");
        builder.UseSetting("ConnectionStrings:TraceViewer", connectionString);
        builder.UseSetting("SampleData:ImportOnStart", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Not news here: the database does not exist until the app migrates it, and its first key is stored as is.
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Connection", "Critical");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
    }
}

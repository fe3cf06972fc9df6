using Microsoft.AspNetCore.Mvc;
using TraceViewer.Data;

namespace TraceViewer.Web;

/// <summary>
/// What a request gets when the database cannot take it: while it is open read-only, every request that could change
/// something is refused up front; a read or write that fails on the storage (disk full, I/O error, locked) answers 503
/// with a problem document naming the cause instead of a bare 500.
/// </summary>
internal static partial class StorageProblems
{
    public static IApplicationBuilder UseStorageProblems(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var access = context.RequestServices.GetRequiredService<DatabaseAccess>();
        var method = context.Request.Method;
        if (access.IsReadOnly && !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)))
        {
            await WriteAsync(context, "The database is read-only", access.Problem!);
            return;
        }

        try
        {
            await next(context);
        }
        catch (Exception e) when (StorageFaults.Describe(e) is { } reason && !context.Response.HasStarted)
        {
            LogStorageFault(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StorageProblems)), method, context.Request.Path, reason, e);
            await WriteAsync(context, "The database cannot be used right now", $"The request could not be completed: {reason}. Nothing was changed; try again later.");
        }
    });

    private static async Task WriteAsync(HttpContext context, string title, string detail)
    {
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed on the database: {Reason}")]
    private static partial void LogStorageFault(ILogger logger, string method, string path, string reason, Exception exception);
}

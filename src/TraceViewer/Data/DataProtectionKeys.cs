using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace TraceViewer.Data;

/// <summary>
/// The data-protection keys (which sign antiforgery tokens and the circuits' prerendered state) live in the database,
/// table <c>DataProtectionKeys</c>, under one application name: every instance on the same database makes and accepts
/// the same tokens, whatever folder it runs from. On SQLite they are in the database file.
/// </summary>
internal static class DataProtectionKeys
{
    /// <summary>Isolates this app's protected data; the same for every instance (the default would be the content root).</summary>
    public const string ApplicationName = "TraceViewer";

    public static IHostApplicationBuilder AddDataProtectionKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddSingleton<DatabaseKeyRepository>();
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = sp.GetRequiredService<DatabaseKeyRepository>()));
        return builder;
    }
}

/// <summary>
/// Keys in the database through EF Core. A database opened read-only cannot take a new key: one made then is kept in
/// this process's memory (with a warning), so pages and forms still work on this instance; other instances do not
/// accept what it protects, and it is gone with the process. Nothing here logs a key's contents: the EF Core repository
/// writes every key it reads, secret included, to its debug log, so it gets no logger and this class logs by name only.
/// </summary>
internal sealed partial class DatabaseKeyRepository(IServiceProvider services, DatabaseAccess access, ILogger<DatabaseKeyRepository> logger) : IXmlRepository
{
    private readonly EntityFrameworkCoreXmlRepository<TraceViewerDbContext> _database = new(services, NullLoggerFactory.Instance);
    private readonly ConcurrentQueue<XElement> _inMemory = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        IReadOnlyCollection<XElement> elements = [.. _database.GetAllElements(), .. _inMemory];
        LogRead(elements.Count);
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        if (access.ReadOnlyReason is { } reason)
        {
            LogKeptInMemory(friendlyName, reason);
            _inMemory.Enqueue(element);
            return;
        }

        _database.StoreElement(element, friendlyName);
        LogStored(friendlyName);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Read {Count} data-protection keys")]
    private partial void LogRead(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored data-protection key {FriendlyName} in the database")]
    private partial void LogStored(string friendlyName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data-protection key {FriendlyName} is kept in memory only: the database is open read-only ({Reason}). Tokens made by this process are not accepted by other instances and end with it")]
    private partial void LogKeptInMemory(string friendlyName, string reason);
}

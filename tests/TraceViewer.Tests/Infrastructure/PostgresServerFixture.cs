namespace TraceViewer.Tests;

/// <summary>The server as an xunit fixture: started before a collection's first test, stopped after its last.</summary>
public sealed partial class PostgresServer : IAsyncLifetime;

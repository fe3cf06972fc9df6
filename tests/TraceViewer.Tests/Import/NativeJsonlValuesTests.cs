using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Datasets;
using TraceViewer.Import;
using TraceViewer.Resampling;

namespace TraceViewer.Tests.Import;

/// <summary>
/// The dataset kind and the resample origin are types in the app but text in the database and in the native format:
/// the same text as when they were strings, an open set for the kind and a closed one for the origin.
/// </summary>
public sealed class NativeJsonlValuesTests : IDisposable
{
    private readonly TestApp _source = new();
    private readonly TestApp _target = new();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"traceviewer-values-{Guid.NewGuid():N}.jsonl");

    [Fact]
    public async Task KindAndOriginAreStoredAndWrittenAsTheSameText()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await using (var db = _source.CreateDbContext())
        {
            var trace = await db.Set<TraceViewer.Traces.Trace>().OrderBy(t => t.Id).Select(t => t.Id).FirstAsync();
            await db.Set<Resample>().Where(r => r.TraceId == trace && r.SampleIndex == 0)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Origin, ResampleOrigin.Generated));

            Assert.Equal(["blackmail", "math"], await db.Database.SqlQueryRaw<string>("SELECT DISTINCT \"Kind\" AS \"Value\" FROM \"Dataset\" ORDER BY 1").ToListAsync());
            Assert.Equal(["generated", "imported"], await db.Database.SqlQueryRaw<string>("SELECT DISTINCT \"Origin\" AS \"Value\" FROM \"Resample\" ORDER BY 1").ToListAsync());
            Assert.True(await db.Set<Resample>().CountAsync(r => r.Origin == ResampleOrigin.Generated) > 0);
        }

        await ExportAsync(_source);
        var lines = await File.ReadAllLinesAsync(_file);

        Assert.Contains(lines, l => l.StartsWith("{\"type\":\"dataset\"", StringComparison.Ordinal) && l.Contains("\"kind\":\"math\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("{\"type\":\"resample\"", StringComparison.Ordinal) && l.Contains("\"origin\":\"generated\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("{\"type\":\"resample\"", StringComparison.Ordinal) && l.Contains("\"origin\":\"imported\"", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("\"origin\":\"Imported\"", StringComparison.Ordinal) || l.Contains("\"origin\":0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AKindTheAppDoesNotNameIsKeptAsItIs()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await ExportAsync(_source);
        var lines = await File.ReadAllLinesAsync(_file);
        var dataset = Array.FindIndex(lines, l => l.StartsWith("{\"type\":\"dataset\"", StringComparison.Ordinal) && l.Contains("\"kind\":\"math\"", StringComparison.Ordinal));
        lines[dataset] = lines[dataset].Replace("\"kind\":\"math\"", "\"kind\":\"Sycophancy study\"", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(_file, lines);

        await _target.ImportAsync(_file);

        await using var db = _target.CreateDbContext();
        var kinds = await db.Set<Dataset>().Select(d => d.Kind).ToListAsync();
        Assert.Contains(new DatasetKind("Sycophancy study"), kinds);
        Assert.False(new DatasetKind("Sycophancy study").IsNamed);
        Assert.Contains("Sycophancy study", await db.Database.SqlQueryRaw<string>("SELECT \"Kind\" AS \"Value\" FROM \"Dataset\"").ToListAsync());
        Assert.Equal(1, await db.Set<Dataset>().CountAsync(d => d.Kind == new DatasetKind("Sycophancy study")));
    }

    [Theory]
    [InlineData("\"origin\":\"copied\"", "unknown resample origin 'copied': expected 'imported' or 'generated'")]
    [InlineData("\"origin\":\"Imported\"", "unknown resample origin 'Imported': expected 'imported' or 'generated'")]
    [InlineData("\"origin\":1", "wrong type: expected 'imported' or 'generated', found a number")]
    [InlineData("\"origin\":null", "wrong type: expected 'imported' or 'generated', found null")]
    public async Task AnUnknownOriginFailsTheImportNamingFileLineAndField(string origin, string detail)
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await ExportAsync(_source);
        var lines = await File.ReadAllLinesAsync(_file);
        var resample = Array.FindLastIndex(lines, l => l.StartsWith("{\"type\":\"resample\"", StringComparison.Ordinal));
        Assert.Contains("\"origin\":\"imported\"", lines[resample], StringComparison.Ordinal);
        lines[resample] = lines[resample].Replace("\"origin\":\"imported\"", origin, StringComparison.Ordinal);
        await File.WriteAllLinesAsync(_file, lines);

        var error = await Assert.ThrowsAsync<ImportException>(() => _target.ImportAsync(_file));

        Assert.Equal(resample + 1, error.Line);
        Assert.Equal("resample.origin", error.Field);
        Assert.Equal(detail, error.Detail);
        Assert.EndsWith(Path.GetFileName(_file), error.FilePath, StringComparison.Ordinal);
        Assert.All(await _target.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task AMissingKindIsNamed()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await ExportAsync(_source);
        var lines = await File.ReadAllLinesAsync(_file);
        var dataset = Array.FindIndex(lines, l => l.StartsWith("{\"type\":\"dataset\"", StringComparison.Ordinal));
        lines[dataset] = System.Text.RegularExpressions.Regex.Replace(lines[dataset], "\"kind\":\"[^\"]*\",", "");
        await File.WriteAllLinesAsync(_file, lines);

        var error = await Assert.ThrowsAsync<ImportException>(() => _target.ImportAsync(_file));

        Assert.Equal((dataset + 1, "dataset.kind", "missing required field"), (error.Line, error.Field, error.Detail));
    }

    [Fact]
    public async Task AStoredOriginOtherThanGeneratedIsReadAsImported()
    {
        await _source.ImportAsync(SharedPaths.Fixtures("thought-anchors"));
        await using var db = _source.CreateDbContext();
        var id = await db.Set<Resample>().OrderBy(r => r.Id).Select(r => r.Id).FirstAsync();
        await db.Database.ExecuteSqlRawAsync("UPDATE \"Resample\" SET \"Origin\" = 'copied' WHERE \"Id\" = {0}", id);
        await db.Database.ExecuteSqlRawAsync("UPDATE \"Resample\" SET \"Origin\" = 'generated' WHERE \"Id\" = {0}", id + 1);

        var read = await db.Set<Resample>().AsNoTracking().Where(r => r.Id == id || r.Id == id + 1).OrderBy(r => r.Id).Select(r => r.Origin).ToListAsync();

        Assert.Equal([ResampleOrigin.Imported, ResampleOrigin.Generated], read);
    }

    private async Task ExportAsync(TestApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var stream = File.Create(_file);
        await scope.ServiceProvider.GetRequiredService<NativeJsonlExporter>().ExportAsync(stream, null, CancellationToken.None);
    }

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
        File.Delete(_file);
    }
}

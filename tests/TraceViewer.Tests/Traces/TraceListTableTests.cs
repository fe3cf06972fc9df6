using Bunit;
using TraceViewer.Traces;

namespace TraceViewer.Tests.Traces;

public sealed class TraceListTableTests : MudComponentTests
{
    private const string HostileTitle = "Plan <img src=x onerror=\"window.__pwned = 1\"> <script>window.__pwned = 2</script>";

    private static TraceRow Row(int id, string title, params BaseLabel[] labels) =>
        new(id, title, 1, "Data <b>set</b>", "model-<i>x</i>", "free", "baseline", 12, 120, 0.25, DateTimeOffset.UnixEpoch, labels);

    [Fact]
    public void EachRowLinksItsTraceAndShowsItsNumbersAndBaseLabels()
    {
        var table = Render<TraceListTable>(p => p.Add(x => x.Rows, [
            Row(7, "First", new BaseLabel("compliance", "Compliance", "yes", true), new BaseLabel("alignment_faking", "Alignment faking", null, null)),
            Row(9, "Second", new BaseLabel("compliance", "Compliance", "no", false)),
        ]));

        var rows = table.FindAll("tr.trace-row");
        Assert.Equal(2, rows.Count);
        Assert.Equal("/traces/7", rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("free · baseline", rows[0].QuerySelector(".trace-subtitle")!.TextContent);
        Assert.Equal(["Compliance: yes", "Alignment faking: ?"], rows[0].QuerySelectorAll(".base-label").Select(l => l.TextContent));
        Assert.Equal(["true", "unknown"], rows[0].QuerySelectorAll(".base-label").Select(l => l.GetAttribute("data-positive")));
        Assert.Equal("Compliance: no", rows[1].QuerySelector(".base-label")!.TextContent);
        Assert.Equal(["12", "120", "0.250"], rows[1].QuerySelectorAll("td.tabular").Select(c => c.TextContent.Trim()));
    }

    [Fact]
    public void ImportedTextIsRenderedAsText()
    {
        var table = Render<TraceListTable>(p => p.Add(x => x.Rows, [Row(3, HostileTitle)]));

        var row = table.Find("tr.trace-row");
        Assert.Equal(HostileTitle, row.QuerySelector("a")!.TextContent);
        Assert.Contains("Data <b>set</b>", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("model-<i>x</i>", row.TextContent, StringComparison.Ordinal);
        Assert.Empty(row.QuerySelectorAll("img, script, b, i"));
    }

    [Fact]
    public void NoRowsShowsTheEmptyStateWithAResetLink()
    {
        var table = Render<TraceListTable>(p => p.Add(x => x.Rows, []));

        Assert.Empty(table.FindAll("table"));
        Assert.Equal("/traces", table.Find("[data-testid=empty-state] a").GetAttribute("href"));
    }
}

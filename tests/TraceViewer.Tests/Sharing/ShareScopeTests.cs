using TraceViewer.Sharing;

namespace TraceViewer.Tests.Sharing;

public sealed class ShareScopeTests
{
    [Theory]
    [InlineData(ShareScopeKind.Trace, SharedPage.Trace, 7, null, true)]
    [InlineData(ShareScopeKind.Trace, SharedPage.Trace, 8, null, false)]
    [InlineData(ShareScopeKind.Trace, SharedPage.Study, 3, null, false)]
    [InlineData(ShareScopeKind.Trace, SharedPage.Other, 7, null, false)]
    [InlineData(ShareScopeKind.Study, SharedPage.Study, 3, null, true)]
    [InlineData(ShareScopeKind.Study, SharedPage.Study, 4, null, false)]
    [InlineData(ShareScopeKind.Study, SharedPage.Trace, 9, 3, true)]
    [InlineData(ShareScopeKind.Study, SharedPage.Trace, 9, 4, false)]
    [InlineData(ShareScopeKind.Study, SharedPage.Trace, 9, null, false)]
    public void AShareAdmitsOnlyItsTraceOrItsStudyAndThatDatasetsTraces(ShareScopeKind kind, SharedPage page, int id, int? traceDataset, bool admits) =>
        Assert.Equal(admits, ShareScope.Admits(kind, traceId: 7, datasetId: 3, page, id, traceDataset));

    [Theory]
    [InlineData("/traces/7", true)]
    [InlineData("/traces/7/sentences/12?outcome=is_correct&effect=kl&threshold=0.6", true)]
    [InlineData("/traces/8/sentences/1", false)]
    [InlineData("/traces/7/../8", false)]
    [InlineData("//evil.example/traces/7", false)]
    [InlineData("/search?q=x", false)]
    [InlineData("/traces/7?x=1#frag", false)]
    public void ATraceShareLandsOnlyOnThatTracesPages(string address, bool accepted) =>
        Assert.Equal(accepted ? address : null, ShareScope.TraceTarget(7, address));

    [Fact]
    public void AStudyShareLandsOnlyOnThatStudy()
    {
        Assert.Equal("/datasets/3/study?tier=free", ShareScope.StudyTarget(3, "/datasets/3/study?tier=free"));
        Assert.Null(ShareScope.StudyTarget(3, "/datasets/4/study"));
        Assert.Null(ShareScope.StudyTarget(3, "/datasets"));
    }

    [Fact]
    public void ExpiryAndRevocationEndAShare()
    {
        var now = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero);
        Assert.False(ShareScope.IsGone(null, null, now));
        Assert.False(ShareScope.IsGone(now.AddSeconds(1), null, now));
        Assert.True(ShareScope.IsGone(now, null, now));
        Assert.True(ShareScope.IsGone(null, now.AddDays(-1), now));
    }

    [Theory]
    [InlineData("Request starting HTTP/1.1 GET http://localhost/s/abcDEF-_123 - - -", "Request starting HTTP/1.1 GET http://localhost/s/[redacted] - - -")]
    [InlineData("RequestPath:/s/abcDEF-_123 RequestId:1", "RequestPath:/s/[redacted] RequestId:1")]
    [InlineData("/s/abc?x=1", "/s/[redacted]?x=1")]
    [InlineData("with value 's/abc-_1' for", "with value 's/[redacted]' for")]
    [InlineData("RouteValue=s/abc", "RouteValue=s/[redacted]")]
    [InlineData("/traces/1/sentences/2", "/traces/1/sentences/2")]
    public void LinksAreRedactedFromLogText(string text, string expected) =>
        Assert.Equal(expected, LogRedaction.Redact(text));
}

using TraceViewer.Web;

namespace TraceViewer.Tests.Web;

public sealed class ExposureWarningTests
{
    [Theory]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("http://127.0.0.2:5000", true)]
    [InlineData("http://[::1]:5000", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://192.168.1.20:5000", false)]
    [InlineData("https://traceviewer.example:443", false)]
    public void OnlyLoopbackAddressesAreLoopback(string address, bool loopback) =>
        Assert.Equal(loopback, ExposureWarning.IsLoopback(address));
}

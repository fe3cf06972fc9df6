using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Jobs;

namespace TraceViewer.Tests.Jobs;

public sealed class JobKindsTests
{
    [Fact]
    public void EveryKindHasOneEntryAndAHandler()
    {
        Assert.Equal(Enum.GetValues<JobKind>().Order(), JobKinds.All.Select(k => k.Kind).Order());
        Assert.All(JobKinds.All, k => Assert.True(typeof(IJobItemHandler).IsAssignableFrom(k.Handler), k.Handler.Name));
    }

    [Fact]
    public void TheRegistryGivesTheRequestRules()
    {
        Assert.Equal("resample and judge", JobKinds.Labels(k => k.TakesTraceList));
        Assert.False(JobKinds.Of(JobKind.Collect).NeedsTarget);
        Assert.False(JobKinds.Of(JobKind.Embed).UsesProvider);
        Assert.Equal([JobKind.Resample, JobKind.Embed, JobKind.Judge], JobKinds.All.Where(k => k.RecomputesMetrics).Select(k => k.Kind));
    }

    [Fact]
    public void HandlersAreRegisteredFromTheRegistryKeyedByKind()
    {
        var services = new ServiceCollection().AddJobHandlers();

        Assert.Equal(JobKinds.All.Select(k => (object?)k.Kind), services.Select(s => s.ServiceKey));
        Assert.All(services, s => Assert.Equal((typeof(IJobItemHandler), ServiceLifetime.Scoped), (s.ServiceType, s.Lifetime)));
        Assert.Equal(JobKinds.All.Select(k => k.Handler), services.Select(s => s.KeyedImplementationType));
    }

    [Fact]
    public void AKindWithoutAHandlerIsNotInstalled()
    {
        using var provider = new ServiceCollection().BuildServiceProvider();
        var kinds = new InstalledJobKinds();

        kinds.Load(provider);

        Assert.False(kinds.IsInstalled(JobKind.Embed));
        Assert.False(kinds.RecomputesMetrics(JobKind.Resample));
    }
}

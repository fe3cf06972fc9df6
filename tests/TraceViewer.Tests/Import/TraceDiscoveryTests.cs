using TraceViewer.Import;

namespace TraceViewer.Tests.Import;

public sealed class TraceDiscoveryTests
{
    [Fact]
    public void TheFixturesRootHoldsBothViewerBundles()
    {
        var discovery = TraceDiscovery.Discover(SharedPaths.Fixtures(), namesAboveRoot: false);

        Assert.Equal(
            ["thought-anchors/deepseek-r1-distill-qwen-14b/correct_base_solution/problem_330", "thought-anchors/qwq-32b/yes_base_solution/scenario_0"],
            discovery.Items.Select(i => i.RelativePath));
        Assert.All(discovery.Items, i => Assert.Same(ImportFormats.ViewerBundle, i.Format));
        Assert.Equal(["deepseek-r1-distill-qwen-14b", "qwq-32b"], discovery.Items.Select(i => i.Folders.ModelFolder));
        Assert.Equal(13, discovery.FileCount);
    }

    [Fact]
    public void AnItemFolderGivenDirectlyTakesItsNamesFromTheFoldersAboveIt()
    {
        var discovery = TraceDiscovery.Discover(SharedPaths.Fixtures("thought-anchors", "qwq-32b", "yes_base_solution", "scenario_0"), namesAboveRoot: true);

        var item = Assert.Single(discovery.Items);
        Assert.Equal(("qwq-32b", "yes_base_solution"), (item.Folders.ModelFolder, item.Folders.SolutionTypeFolder));
        Assert.Equal("thought-anchors-viewer/qwq-32b/yes_base_solution", item.Folders.DatasetKey(SourceFormats.ViewerBundle));
    }

    [Fact]
    public void TreesAreToldApartByProblemOrScenarioFiles()
    {
        using var trees = new SyntheticTrees();
        trees.WriteMathProblem("problem_1", ["A."], [[Rollout.Positive]], forced: [[Rollout.Negative]]);
        trees.WriteScenario("scenario_2", ["B."], [""], [[Rollout.Negative]]);

        var discovery = TraceDiscovery.Discover(trees.Root, namesAboveRoot: false);

        Assert.Equal([ImportFormats.ScenarioTree, ImportFormats.RolloutTree], discovery.Items.Select(i => i.Format));
        var math = discovery.Items[1];
        Assert.Equal("tiny-math-model/temperature_0.6_top_p_0.95/correct_base_solution_forced_answer/problem_1", math.Forced?.RelativePath);
        Assert.Null(discovery.Items[0].Forced);
        Assert.Empty(discovery.Warnings);
    }

    [Theory]
    [InlineData("correct_base_solution", "correct_base_solution", false, null)]
    [InlineData("incorrect_base_solution_forced_answer", "incorrect_base_solution", true, null)]
    [InlineData("correct_base_solution_forced_answer_sanity", "correct_base_solution", true, "sanity")]
    [InlineData("yes_base_solution_deterrent_warning", "yes_base_solution", false, "deterrent_warning")]
    [InlineData("my_own_runs", "my_own_runs", false, null)]
    public void SolutionTypeFoldersSplitIntoBaseTypeForcedFlagAndVariant(string folder, string baseType, bool forced, string? variant)
    {
        var parsed = FolderNames.ParseSolutionType(folder);

        Assert.Equal((baseType, forced, variant), parsed);
    }

    [Fact]
    public void TemperatureAndTopPComeFromTheirFolder()
    {
        var names = FolderNames.Parse(["math_rollouts", "deepseek-r1-distill-llama-8b", "temperature_0.6_top_p_0.95", "correct_base_solution"]);

        Assert.Equal(("deepseek-r1-distill-llama-8b", 0.6, 0.95), (names.ModelFolder, names.Temperature, names.TopP));
    }
}

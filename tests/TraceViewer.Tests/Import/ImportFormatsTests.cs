using System.CommandLine;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Import;

namespace TraceViewer.Tests.Import;

/// <summary>The import page, the command-line help and discovery all take their formats from <see cref="ImportFormats"/>.</summary>
public sealed class ImportFormatsTests
{
    private static List<string> Registered => [.. ImportFormats.All.Select(f => f.Name)];

    [Fact]
    public void EveryFormatHasItsOwnNameAndSaysWhatToGive()
    {
        Assert.Equal(Registered.Count, Registered.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ImportFormats.All, f => Assert.False(string.IsNullOrWhiteSpace(f.Title) || string.IsNullOrWhiteSpace(f.Help), f.Name));
        Assert.Equal([".zip", ".jsonl", ".json"], ImportFormats.UploadExtensions);
    }

    [Fact]
    public async Task TheImportPageListsExactlyTheRegisteredFormatsAndOffersTheirFiles()
    {
        using var app = new TestApp();

        var page = await new HtmlParser().ParseDocumentAsync(await app.CreateClient().GetStringAsync("/import"));

        var listed = page.QuerySelectorAll("[data-testid=import-formats] li").ToList();
        Assert.Equal(Registered, listed.Select(li => li.GetAttribute("data-format")!));
        Assert.All(ImportFormats.All.Zip(listed), p => Assert.Equal($"{p.First.Title}: {p.First.Help}", p.Second.TextContent.Trim()));
        Assert.Equal(".zip,.jsonl,.json", page.QuerySelector("input[type=file][name=archive]")!.GetAttribute("accept"));
    }

    [Fact]
    public void TheCommandLineHelpListsExactlyTheRegisteredFormats()
    {
        using var usage = new StringWriter();
        CommandLine.PrintUsage(["--help"], usage, LaunchMode.Help);
        using var help = new StringWriter();
        using var services = new ServiceCollection().BuildServiceProvider();
        new RootCommand { ImportCommands.Import(services) }.Parse(["import", "--help"]).Invoke(new InvocationConfiguration { Output = help });

        var lines = usage.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var listed = lines.SkipWhile(l => l != "Import formats:").Skip(1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.Equal(Registered, listed);
        var importHelp = string.Join(' ', help.ToString().Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.All(ImportFormats.All, f => Assert.Contains($"{f.Title} ({f.Name})", importHelp, StringComparison.Ordinal));
    }

    [Fact]
    public void DiscoveryRecognisesExactlyTheRegisteredFormatsAndNamesThemAllWhenItFindsNone()
    {
        using var trees = new SyntheticTrees();
        trees.WriteMathProblem("problem_1", ["A."], [[Rollout.Positive]]);
        trees.WriteScenario("scenario_2", ["B."], [""], [[Rollout.Negative]]);
        var files = Directory.CreateTempSubdirectory("traceviewer-formats-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(files, "export.jsonl"), "");
            File.WriteAllText(Path.Combine(files, "results.json"), """[{"user_input": "Hello", "response": "Hi"}]""");
            Directory.CreateDirectory(Path.Combine(files, "empty"));
            File.WriteAllText(Path.Combine(files, "empty", "readme.txt"), "nothing here");

            var fixtures = TraceDiscovery.Discover(SharedPaths.Fixtures(), namesAboveRoot: false);
            var synthetic = TraceDiscovery.Discover(trees.Root, namesAboveRoot: false);
            var loose = TraceDiscovery.Discover(files, namesAboveRoot: false);
            var none = Assert.Throws<ImportException>(() => TraceDiscovery.Discover(Path.Combine(files, "empty"), namesAboveRoot: false));

            var found = fixtures.Items.Concat(synthetic.Items).Select(i => (ImportFormat)i.Format).Concat(loose.Files.Select(f => f.Format)).Select(f => f.Name)
                .Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(Registered.Order(StringComparer.Ordinal), found);
            Assert.Equal([ImportFormats.NativeJsonl, ImportFormats.AlignmentFakingResults], loose.Files.Select(f => f.Format));
            Assert.StartsWith("empty: unknown layout", none.Message, StringComparison.Ordinal);
            Assert.All(ImportFormats.All, f => Assert.Contains(f.Title, none.Message, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }
}

using System.CommandLine;

namespace TraceViewer.Import;

internal static class ImportCommands
{
    public static Command Import(IServiceProvider services)
    {
        var command = new Command("import", "Import every trace found below a file or folder.");
        return command;
    }

    public static Command Export(IServiceProvider services)
    {
        var command = new Command("export", "Export traces to the native JSONL format.");
        return command;
    }
}

namespace TraceViewer.Import;

/// <summary>The bundled Thought Anchors fixtures, imported on first start so a new install has something to show.</summary>
internal sealed class SampleDataOptions
{
    public const string Section = "SampleData";

    /// <summary>Import SampleData/ from the app folder when the database has no dataset.</summary>
    public bool ImportOnStart { get; set; } = true;
}

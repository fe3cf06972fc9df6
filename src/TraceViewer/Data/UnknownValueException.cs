using System.Text.Json;

namespace TraceViewer.Data;

/// <summary>
/// A JSON value that is not one the field allows. Its message is the whole detail (no JSON path or position is
/// appended), so a reader can name the file, line and field itself.
/// </summary>
public sealed class UnknownValueException(string message) : JsonException(message);

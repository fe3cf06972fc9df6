using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace TraceViewer.Import;

/// <summary>
/// Reads source files as bytes the same way for every format: the size is checked before anything is read, a UTF-8
/// byte-order mark is skipped, and invalid UTF-8 is refused with its byte offset (never replaced).
/// </summary>
internal static class SourceBytes
{
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    public static int BomLength(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Bom) ? Bom.Length : 0;

    public static ReadOnlyMemory<byte> WithoutBom(ReadOnlyMemory<byte> bytes) => bytes[BomLength(bytes.Span)..];

    /// <summary>Opens a regular file for reading; a special file (pipe, socket, device) is refused without being opened.</summary>
    public static FileStream Open(string fullPath, string relativePath)
    {
        if (FileKinds.Of(fullPath) == FileKind.Special)
        {
            throw new ImportException(relativePath, null, null, "not a regular file (a named pipe, socket or device); it was not opened");
        }

        try
        {
            return new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(relativePath, null, null, "the file could not be read: " + e.Message, e);
        }
    }

    /// <summary>A whole JSON file, refused by name when it is above <see cref="ImportOptions.MaxFileBytes"/>.</summary>
    public static byte[] ReadFile(string fullPath, string relativePath, ImportOptions limits)
    {
        var (buffer, length) = RentFile(fullPath, relativePath, limits);
        try
        {
            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// As <see cref="ReadFile"/>, into an array of <see cref="ArrayPool{T}.Shared"/> that the caller returns; the file's
    /// bytes are its first <c>Length</c>.
    /// </summary>
    public static (byte[] Buffer, int Length) RentFile(string fullPath, string relativePath, ImportOptions limits)
    {
        using var stream = Open(fullPath, relativePath);
        try
        {
            var length = stream.Length;
            if (length > limits.MaxFileBytes)
            {
                throw new ImportException(relativePath, null, null,
                    $"the file is {ImportOptions.Size(length)}, above {ImportOptions.Limit(nameof(ImportOptions.MaxFileBytes), limits.MaxFileBytes)}");
            }

            var bytes = ArrayPool<byte>.Shared.Rent(checked((int)length));
            try
            {
                stream.ReadExactly(bytes, 0, (int)length);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(bytes);
                throw;
            }

            // A file that grows while it is read is read only as far as its size said.
            return (bytes, (int)length);
        }
        catch (IOException e)
        {
            throw new ImportException(relativePath, null, null, "the file could not be read: " + e.Message, e);
        }
    }

    /// <summary>Refuses invalid UTF-8 with the offset of its first bad byte (from the start of the file) and its line.</summary>
    /// <param name="fileOffset">Where <paramref name="bytes"/> start in the file.</param>
    /// <param name="firstLine">The line <paramref name="bytes"/> start on.</param>
    public static void CheckUtf8(ReadOnlySpan<byte> bytes, string relativePath, long fileOffset, long firstLine)
    {
        if (Utf8.IsValid(bytes))
        {
            return;
        }

        var bad = FirstInvalid(bytes);
        var line = firstLine + bytes[..bad].Count((byte)'\n');
        throw new ImportException(relativePath, null, line, $"invalid UTF-8 at byte {fileOffset + bad} (the file must be UTF-8 text)");
    }

    private static int FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        var chars = ArrayPool<char>.Shared.Rent(4096);
        try
        {
            var offset = 0;
            while (offset < bytes.Length)
            {
                var status = Utf8.ToUtf16(bytes[offset..], chars, out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
                if (status is OperationStatus.InvalidData or OperationStatus.NeedMoreData)
                {
                    return offset + read;
                }

                offset += read;
                if (status == OperationStatus.Done)
                {
                    break;
                }
            }

            return bytes.Length;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}

/// <summary>
/// One pass over JSON text before it is deserialised: strings longer than <see cref="ImportOptions.MaxStringBytes"/>
/// and nesting deeper than <see cref="ImportOptions.MaxDepth"/> are refused by name and JSON path, without
/// materialising anything, so a hostile file costs no more memory than its own bytes.
/// </summary>
internal static class JsonLimits
{
    private struct Frame
    {
        public bool IsArray;
        public int Index;
        public int NameStart;
        public int NameLength;
    }

    /// <param name="firstLine">The line the text starts on (JSONL lines are checked one at a time).</param>
    public static void Check(ReadOnlySpan<byte> json, string relativePath, ImportOptions limits, long firstLine)
    {
        // One level more than the limit, so the check below reports the limit by name before the reader would.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = limits.MaxDepth + 1 });
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        NextElement(frames);
                        if (frames.Count >= limits.MaxDepth)
                        {
                            throw Error(json, reader, frames, relativePath, firstLine,
                                $"nested deeper than {limits.MaxDepth} levels, the limit ({ImportOptions.Section}:{nameof(ImportOptions.MaxDepth)})");
                        }

                        frames.Add(new Frame { IsArray = reader.TokenType == JsonTokenType.StartArray, Index = -1 });
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var top = frames[^1];
                        top.NameStart = (int)reader.TokenStartIndex + 1;
                        top.NameLength = reader.ValueSpan.Length;
                        frames[^1] = top;
                        CheckString(json, reader, frames, relativePath, limits, firstLine);
                        break;
                    case JsonTokenType.String:
                        NextElement(frames);
                        CheckString(json, reader, frames, relativePath, limits, firstLine);
                        break;
                    default:
                        NextElement(frames);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            var line = firstLine + (e.LineNumber ?? 0);
            var detail = e.Message;
            var cut = detail.IndexOf(" LineNumber: ", StringComparison.Ordinal);
            throw new ImportException(relativePath, PathOf(json, frames), line, "invalid or truncated JSON: " + (cut > 0 ? detail[..cut] : detail), e);
        }
    }

    private static void NextElement(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            var top = frames[^1];
            top.Index++;
            frames[^1] = top;
        }
    }

    private static void CheckString(ReadOnlySpan<byte> json, Utf8JsonReader reader, List<Frame> frames, string relativePath, ImportOptions limits, long firstLine)
    {
        var length = reader.ValueSpan.Length;
        if (length > limits.MaxStringBytes)
        {
            throw Error(json, reader, frames, relativePath, firstLine,
                $"a string of {ImportOptions.Size(length)} is above {ImportOptions.Limit(nameof(ImportOptions.MaxStringBytes), limits.MaxStringBytes)}");
        }
    }

    private static ImportException Error(ReadOnlySpan<byte> json, Utf8JsonReader reader, List<Frame> frames, string relativePath, long firstLine, string detail)
    {
        var line = firstLine + json[..(int)reader.TokenStartIndex].Count((byte)'\n');
        return new ImportException(relativePath, PathOf(json, frames), line, detail);
    }

    /// <summary>The JSON path of the current token, e.g. <c>[12].chunk</c>, as the serializer's errors give it.</summary>
    private static string? PathOf(ReadOnlySpan<byte> json, List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray)
            {
                path.Append('[').Append(Math.Max(frame.Index, 0)).Append(']');
            }
            else if (frame.NameLength > 0 || frame.NameStart > 0)
            {
                if (path.Length > 0)
                {
                    path.Append('.');
                }

                var name = json.Slice(frame.NameStart, Math.Min(frame.NameLength, 200));
                path.Append(Encoding.UTF8.GetString(name));
            }
        }

        return path.Length > 0 ? path.ToString() : null;
    }
}

using System.Runtime.InteropServices;

namespace TraceViewer.Import;

internal enum FileKind
{
    Regular,
    Directory,
    SymbolicLink,

    /// <summary>A named pipe, socket or device: opening or reading one can block forever or never end.</summary>
    Special,
    Missing,
}

/// <summary>
/// What a directory entry is, without following a symbolic link and without opening it. .NET reports named pipes,
/// sockets and devices as ordinary files, so on Linux this asks the kernel (statx, whose layout is the same on
/// every architecture); elsewhere it falls back to what .NET reports.
/// </summary>
internal static partial class FileKinds
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28;
    private const int StatxSize = 256;

    private static bool _statxMissing;

    public static FileKind Of(string path)
    {
        if (OperatingSystem.IsLinux() && !_statxMissing && TryStatx(path, out var kind))
        {
            return kind;
        }

        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return FileKind.SymbolicLink;
        }

        return info.Exists ? FileKind.Regular : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
    }

    private static bool TryStatx(string path, out FileKind kind)
    {
        kind = FileKind.Missing;
        Span<byte> buffer = stackalloc byte[StatxSize];
        int result;
        try
        {
            result = Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, ref MemoryMarshal.GetReference(buffer));
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _statxMissing = true;
            return false;
        }

        if (result != 0)
        {
            return Marshal.GetLastPInvokeError() is 2 or 20; // ENOENT, ENOTDIR: missing; anything else: let .NET decide
        }

        var mode = BitConverter.ToUInt16(buffer[StatxModeOffset..]) & 0xF000;
        kind = mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Special,
        };
        return true;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);
}

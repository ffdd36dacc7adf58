namespace XenMm.Cli.Machines;

/// <summary>
/// Writes a file whole or not at all: into a temporary file beside it, flushed, then renamed over the target. A
/// write that fails (a checkpoint whose save throws halfway, a full disk) leaves the target as it was, so
/// <c>xenmm run --resume m.ckpt --save m.ckpt</c> never loses the checkpoint it started from.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; returns the bytes written.</summary>
    public static long Write(string path, Action<FileStream> write)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            long length;
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
                length = stream.Length;
            }

            File.Move(temp, full, overwrite: true);
            return length;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> whole or not at all.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }
}

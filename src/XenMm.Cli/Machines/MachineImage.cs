namespace XenMm.Cli.Machines;

/// <summary>Writes a machine's RAM as a raw image from the lowest bank's start; memory never written stays a hole of a sparse file.</summary>
internal static class MachineImage
{
    public static void Write(XenMachine m, FileInfo file, TextWriter output)
    {
        var start = m.Memory.Banks.Min(b => b.Start.Value);
        var end = m.Memory.Banks.Max(b => b.End);
        AtomicFile.Write(file.FullName, stream =>
        {
            stream.SetLength((long)(end - start));
            foreach (var (chunkStart, bytes) in m.Memory.EnumerateBackedChunks())
            {
                var from = Math.Max(chunkStart.Value, start);
                var to = Math.Min(chunkStart.Value + (ulong)bytes.Length, end);
                if (to <= from)
                {
                    continue;
                }

                stream.Position = (long)(from - start);
                stream.Write(bytes.Span.Slice((int)(from - chunkStart.Value), (int)(to - from)));
            }
        });

        output.WriteLine($"Image: {file.FullName} holds PA [0x{start:x}, 0x{end:x}) (--base 0x{start:x}); root tables: " +
            string.Join(", ", m.Cpus.Select(c => $"cpu{c.Id} 0x{c.Root.Value:x}")) + $" (--format {m.Architecture.PageTableFormat})");
    }
}

namespace XenMm.Memory;

// What a checkpoint needs of physical memory: every byte zeroed, and the chunk geometry.
public sealed partial class PhysicalMemory
{
    internal const int PagesPerChunk = 1 << (ChunkShift - Addressing.PageShift);

    // One past the highest chunk index the radix can hold.
    internal ulong ChunkLimit => (ulong)_radix.Length << LeafShift;

    // Zeroes the backed chunks in place: chunks never move (walkers keep their arrays), so none is dropped.
    internal void ZeroContents()
    {
        foreach (var leaf in _radix)
        {
            foreach (var chunk in leaf ?? [])
            {
                if (chunk is not null)
                {
                    chunk.Bytes.Clear();
                }
            }
        }
    }
}

using XenMm.Heap;

namespace XenMm.Cli.Heatmap;

/// <summary>One free buddy chunk: <c>2^Order</c> pages from <c>Start</c>.</summary>
internal readonly record struct FreeChunk(ulong Start, int Order)
{
    public ulong End => Start + (1UL << Order);
}

/// <summary>The heap's free chunks in address order, read from every <c>heap(node, zone, order)</c> list.</summary>
internal static class FreeChunks
{
    public static List<FreeChunk> Of(BuddyHeap heap)
    {
        var chunks = new List<FreeChunk>();
        for (var node = 0; node < heap.Config.Nodes; node++)
        {
            for (var zone = 0; zone < heap.NrZones; zone++)
            {
                for (var order = 0; order <= heap.MaxOrder; order++)
                {
                    chunks.AddRange(heap.FreeList(node, zone, order).Select(head => new FreeChunk(head.Value, order)));
                }
            }
        }

        chunks.Sort((a, b) => a.Start.CompareTo(b.Start));
        return chunks;
    }
}

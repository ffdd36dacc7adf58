using XenMm.Heap;

namespace XenMm.Cli.Heatmap;

/// <summary>One free buddy chunk: <c>2^Order</c> pages from <c>Start</c>.</summary>
internal readonly record struct FreeChunk(ulong Start, int Order)
{
    public ulong End => Start + (1UL << Order);
}

/// <summary>The heap's free chunks in address order (<see cref="BuddyHeap.FreeChunks"/> lists them list by list).</summary>
internal static class FreeChunks
{
    public static List<FreeChunk> Of(BuddyHeap heap) =>
        [.. heap.FreeChunks().Select(c => new FreeChunk(c.Head.Value, c.Order)).OrderBy(c => c.Start)];
}

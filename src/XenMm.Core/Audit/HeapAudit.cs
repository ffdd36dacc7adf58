using XenMm.Heap;

namespace XenMm.Audit;

/// <summary>Placeholder.</summary>
public sealed class HeapAudit
{
    /// <summary>Placeholder.</summary>
    public HeapAudit(BuddyHeap heap) => _ = heap;

    /// <summary>Placeholder.</summary>
    public IReadOnlyList<string> Run() => [];
}

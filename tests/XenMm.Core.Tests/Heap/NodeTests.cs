using XenMm.Audit;
using XenMm.Heap;
using static XenMm.Core.Tests.Heap.HeapTestMachines;

namespace XenMm.Core.Tests.Heap;

/// <summary>More than one node (ARM has one; the model stays general): MEMF_node, MEMF_exact_node, no merge across nodes.</summary>
public sealed class NodeTests
{
    private static BuddyHeap TwoNodes()
    {
        var heap = Empty(0x80000, 0x1000, HeapConfig.Arm64 with { Nodes = 2 });
        heap.FrameTable.SetNode(M(0x80800), 0x800, 1);
        heap.InitHeapPages(M(0x80000), 0x1000);
        return heap;
    }

    [Fact]
    public void Buddies_on_different_nodes_do_not_merge()
    {
        var heap = TwoNodes();

        Assert.Equal([M(0x80000)], heap.FreeList(0, 20, 11));
        Assert.Equal([M(0x80800)], heap.FreeList(1, 20, 11));
        Assert.Equal(0x800UL, heap.Avail(1, 20));
        Assert.Empty(new HeapAudit(heap).Run());
    }

    [Fact]
    public void Memf_node_picks_the_node_and_exact_node_refuses_fallback()
    {
        var heap = TwoNodes();

        Assert.True(heap.TryAlloc(1, 36, 0, MemFlags.Node(1), out var onOne));
        Assert.Equal(M(0x80FFF), onOne);
        Assert.True(heap.TryAlloc(1, 36, 0, MemFlags.None, out var onZero));
        Assert.Equal(M(0x807FF), onZero);

        Assert.True(heap.TryAlloc(1, 36, 10, MemFlags.Node(1), out var sameNode));
        Assert.Equal(M(0x80800), sameNode); // node 1's remaining order-10 half
        Assert.False(heap.TryAlloc(1, 36, 10, MemFlags.Node(1) | MemFlags.ExactNode, out _));
        Assert.True(heap.TryAlloc(1, 36, 10, MemFlags.Node(1), out var fallback));
        Assert.Equal(M(0x80000), fallback); // not exact: the next node (0) serves it
        Assert.Empty(new HeapAudit(heap).Run());
    }
}

using XenMm.Workloads;
using System.Text;
using XenMm.Audit;
using XenMm.Heap;
using static XenMm.Core.Tests.Heap.HeapTestMachines;

namespace XenMm.Core.Tests.Heap;

/// <summary>
/// RAM from MFN 0 in the 2013 profile: Xen 4.4 frees MFN 0 like any page (xen/common/page_alloc.c, init_heap_pages),
/// free_heap_pages merges without a zone check and unlinks the buddy with page_list_del, which on ARM is list_del
/// (whatever list holds it). Expected values are Xen 4.4's own allocator's (shared/tools/xen44-heap), with the
/// command in each comment; the current profile keeps MFN 0 out (Xen 4.13+, 762b9a2d99).
/// </summary>
public sealed class Xen44Mfn0Tests
{
    private static readonly HeapConfig Xen2013 = HeapConfig.For(64, XenProfile.Xen2013);

    [Fact]
    public void Init_of_64_pages_from_MFN_0_is_one_order_6_chunk_on_zone_6_counted_in_zones_1_to_6()
    {
        // xen44_w1 seed=3 base=0x0 pages=64 ops=0 --dump-init: "init z6/o6: 0x0", avail[1..6] 2 2 4 8 16 32,
        // w1_init_state_hash 0xa8c1323228147da5.
        var heap = Empty(0, 64, Xen2013);
        heap.InitHeapPages(M(0), 64);

        Assert.Equal("z6/o6: 0x0", Lists(heap));
        Assert.Equal("2 2 4 8 16 32", W1Xen44OracleTests.ZoneAvail(heap));
        Assert.Equal(64UL, heap.TotalAvailPages);
        Assert.Equal(0xa8c1323228147da5UL, heap.StateHash());
    }

    [Fact]
    public void Page_by_page_merges_unlink_the_buddy_from_the_list_it_is_on()
    {
        // xen44_w1 seed=3 base=0x0 pages=8 ops=0 --dump-init: "init z3/o3: 0x0", avail[1..3] 2 2 4. Freeing MFN 3
        // (zone 2) merges with the order-1 chunk at 0 on zone 1's list; unlinking it from zone 2's list instead
        // left stale heads on z1/o1 and z2/o2.
        var heap = Empty(0, 8, Xen2013);
        heap.InitHeapPages(M(0), 8);

        Assert.Equal("z3/o3: 0x0", Lists(heap));
        Assert.Equal("2 2 4", W1Xen44OracleTests.ZoneAvail(heap));
        Assert.Equal(0xa8cb5d32281d1b3bUL, heap.StateHash());
        Assert.Empty(new HeapAudit(heap).Run());
    }

    [Fact]
    public void Operation_157_of_seed_3_fails_because_zone_6_counts_4_pages_while_its_list_holds_32()
    {
        // xen44_w1 seed=3 base=0x0 pages=64 ops=158 dump-at=157 --trace: before op 157 the lists are
        // z6/o0 0x36 0x3c, z6/o1 0x34, z6/o5 0x0 and avail[1..6] 2 2 4 8 16 4; op 157 is "X 4" (alloc_heap_pages
        // skips zone 6 since avail 4 < 16, and zones 5..1 have counts but empty lists). Current rules return 0x10.
        var before = ChurnWorkload.RunOnNewHeap(3, 0, 64, 157, false, XenProfile.Xen2013).Heap;
        Assert.Equal("z6/o0: 0x36 0x3C\nz6/o1: 0x34\nz6/o5: 0x0", Lists(before));
        Assert.Equal("2 2 4 8 16 4", W1Xen44OracleTests.ZoneAvail(before));

        var trace = new W1Xen44OracleTests.Trace(new StringBuilder());
        ChurnWorkload.RunOnNewHeap(3, 0, 64, 158, false, XenProfile.Xen2013, ref trace);
        var lines = trace.Text.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(158, lines.Length);
        Assert.Equal(["A 0x38 0", "F 0x3e 0", "X 9", "A 0x3e 0", "A 0x21 0", "A 0x20 0", "A 0x37 0", "F 0x3c 0", "X 4"], lines[149..]);
    }

    [Fact]
    public void Foreign_list_chunks_are_reported_as_2013_quirks_not_violations()
    {
        var heap = Empty(0, 64, Xen2013);
        heap.InitHeapPages(M(0), 64);

        var all = new HeapAudit(heap).RunAll();
        Assert.Empty(new HeapAudit(heap).Run());
        Assert.All(all, f => Assert.True(f.IsQuirk));
        var chunk = Assert.Single(all, f => f.Check == "5 chunk-zone");
        Assert.Equal(M(0), chunk.Mfn);
        Assert.StartsWith("[quirk 5 chunk-zone] 0x0: order 6 chunk on zone 6 list spans zones 1..6", chunk.ToString(), StringComparison.Ordinal);
        Assert.Equal(6, all.Count(f => f.Check == "3 zone-avail")); // zones 1..5 count pages their lists lack, zone 6 the reverse
        Assert.DoesNotContain(all, f => f.Check == "6 mfn-0"); // invariant 6 is current Xen's
    }

    [Fact]
    public void The_current_profile_keeps_MFN_0_out_and_audits_it()
    {
        var heap = Empty(0, 64);
        heap.InitHeapPages(M(0), 64);

        Assert.Equal(63UL, heap.TotalAvailPages);
        Assert.Equal("z1/o0: 0x1\nz2/o1: 0x2\nz3/o2: 0x4\nz4/o3: 0x8\nz5/o4: 0x10\nz6/o5: 0x20", Lists(heap));
        Assert.Empty(new HeapAudit(heap).RunAll());
    }

    [Theory]
    [InlineData(0x0UL, 0)]
    [InlineData(0x20UL, 5)]
    [InlineData(0x0UL, 6)]
    public void Freeing_a_page_of_the_free_MFN_0_chunk_is_refused_and_changes_nothing(ulong mfn, int order)
    {
        var heap = Empty(0, 64, Xen2013);
        heap.InitHeapPages(M(0), 64);
        ulong before = heap.FullStateHash();

        Assert.Equal(MmError.DoubleFree, Assert.Throws<XenMmException>(() => heap.Free(M(mfn), order)).Error);
        Assert.Equal(MmError.DoubleFree, Assert.Throws<XenMmException>(() => heap.InitHeapPages(M(0), 1)).Error);
        Assert.Equal(before, heap.FullStateHash());
    }
}

using XenMm.Arm32.Heap;
using XenMm.Arm32.Machine;
using XenMm.Heap;
using XenMm.Machine;
using XenMm.Tests.Shared;
using static XenMm.Arm32.Tests.Machine.Arm32TestBoards;

namespace XenMm.Arm32.Tests.Heap;

/// <summary>The split heap on a booted 64 MiB machine: zone 0 by address, no fallback either way, translations, refusals, and the buffers.</summary>
public class SplitHeapModelTests
{
    // 64 MiB at 0x4000_0000: a 32 MiB xenheap [0x4200_0000, 0x4400_0000).
    private static XenMachine Small(Arm32Architecture? arch = null, int cpus = 1) =>
        Boot(new MachineOptions { Ram = [Bank(0x4000_0000, 64 * MiB)], Cpus = cpus }, arch);

    [Fact]
    public void Xenheap_pages_come_from_zone_0_and_translate_one_to_one()
    {
        var m = Small();
        var model = m.HeapModel;
        Assert.Equal("split", model.Name);
        Assert.Equal(new MfnRange(new Mfn(0x42000), 8192), model.XenheapRange);
        Assert.True(model.TryAllocXenheapPages(3, MemFlags.None, out var va));
        var pa = model.VirtToMaddr(va);
        Assert.True(model.IsXenHeapMfn(pa.Mfn));
        Assert.True(model.IsXenHeapPage(pa.Mfn));
        Assert.Equal(0, m.Heap.ZoneOf(pa.Mfn));
        Assert.Equal(va, model.MaddrToVirt(pa));
        Assert.Equal(new VirtAddr(0x4000_0000 + (pa.Value - 0x4200_0000)), va);
        Assert.Equal(pa, m.Mappings.Translate(va).PhysAddr);
        Assert.Equal([new MfnRange(pa.Mfn, 8)], model.XenheapAllocations);
        Assert.Equal(8UL, m.Census()[PageUse.Xenheap]);
        model.FreeXenheapPages(va, 3);
        Assert.Empty(model.XenheapAllocations);
        AssertConsistent(m);
    }

    [Fact]
    public void Zone_0_is_by_address_even_for_free_and_buffer_pages()
    {
        var m = Small();
        Assert.Equal(0, m.Heap.ZoneOf(new Mfn(0x42000)));
        Assert.Equal(0, m.Heap.ZoneOf(new Mfn(0x43FFF)));
        Assert.Equal(19, m.Heap.ZoneOf(new Mfn(0x41FFF)));
        Assert.False(m.HeapModel.IsXenHeapMfn(new Mfn(0x44000)));
        Assert.Equal(8190UL, m.Heap.Avail(0, 0));
    }

    [Fact]
    public void No_fallback_from_the_xenheap_to_the_domheap()
    {
        var m = Small();
        var model = m.HeapModel;
        var n = 0;
        while (model.TryAllocXenheapPages(0, MemFlags.None, out _))
        {
            n++;
        }

        Assert.Equal(8190, n);
        Assert.Equal(0UL, m.Heap.Avail(0, 0));
        Assert.True(m.Heap.AvailHeapPages(1, m.Heap.NrZones - 1) > 1000);
        AssertConsistent(m);
    }

    [Fact]
    public void No_fallback_from_the_domheap_to_the_xenheap()
    {
        var m = Small();
        var taken = 0;
        while (m.Domheap.TryAllocPages(null, 0, MemFlags.None, out var mfn))
        {
            Assert.NotEqual(0, m.Heap.ZoneOf(mfn));
            taken++;
        }

        Assert.True(taken > 1000);
        Assert.Equal(8190UL, m.Heap.Avail(0, 0));
        Assert.True(m.HeapModel.TryAllocXenheapPages(0, MemFlags.None, out _));
        AssertConsistent(m);
    }

    [Fact]
    public void Refusals_throw_their_error_and_change_nothing()
    {
        var m = Small();
        var model = m.HeapModel;
        Assert.True(model.TryAllocXenheapPages(1, MemFlags.None, out var va));
        var before = (m.Heap.StateHash(), model.XenheapAllocations.Count);
        Assert.Equal(MmError.InvalidOrder, Assert.Throws<XenMmException>(() => model.TryAllocXenheapPages(19, MemFlags.None, out _)).Error);
        Assert.Equal(MmError.InvalidOrder, Assert.Throws<XenMmException>(() => model.TryAllocXenheapPages(-1, MemFlags.None, out _)).Error);
        Assert.Equal(MmError.NotAllocated, Assert.Throws<XenMmException>(() => model.FreeXenheapPages(va, 0)).Error);
        Assert.Equal(MmError.NotAllocated, Assert.Throws<XenMmException>(() => model.FreeXenheapPages(va + 0x1000, 1)).Error);
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => model.FreeXenheapPages(new VirtAddr(0x8000_0000), 0)).Error);
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => model.MaddrToVirt(new PhysAddr(0x4400_0000))).Error);
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => model.MaddrToVirt(new PhysAddr(0x41FF_FFFF))).Error);
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => model.VirtToMaddr(new VirtAddr(0x4200_0000))).Error);
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => model.VirtToMaddr(new VirtAddr(0x3FFF_FFFF))).Error);
        model.FreeXenheapPages(default, 0); // Xen ignores NULL
        Assert.Equal(before, (m.Heap.StateHash(), model.XenheapAllocations.Count));
        model.FreeXenheapPages(va, 1);
        AssertConsistent(m);
    }

    [Fact]
    public void Init_xenheap_pages_rounds_inward_and_buffers_both_ends()
    {
        var heap = new BuddyHeap([new XenMm.Memory.RamBank(new PhysAddr(0x8000_0000), 2UL << 30)], HeapConfig.Arm32);
        var model = new SplitHeapModel(heap, new MfnRange(new Mfn(0xFC000), 16384), new VirtAddr(0x4000_0000));
        var given = new List<MfnRange>();
        var range = model.InitXenheapPages(new PhysAddr(0xFC00_0000), new PhysAddr(0x1_0000_0000), r => { given.Add(r); heap.InitHeapPages(r.Start, r.Pages); });
        Assert.Equal(new MfnRange(new Mfn(0xFC001), 16382), range);
        Assert.Equal([range], given);
        Assert.Equal([new MfnRange(new Mfn(0xFC000), 1), new MfnRange(new Mfn(0xFFFFF), 1)], model.BufferPages);
        Assert.Equal(0UL, model.InitXenheapPages(new PhysAddr(0x1000_0FFF), new PhysAddr(0x1000_1000), _ => throw new InvalidOperationException()).Pages);
    }

    [Fact]
    public void Without_the_buffers_a_domheap_chunk_merges_onto_the_xenheap_and_the_audit_reports_it()
    {
        // 1 GiB + 16 MiB at 0x4000_0000: a 64 MiB xenheap [0x7c000, 0x80000) with free domheap below it (the boot
        // allocator takes its pages from the 16 MiB above). Unbuffered, the xenheap is one order-14 chunk whose buddy
        // is [0x78000, 0x7c000), a domheap chunk end_boot_allocator frees after init_xenheap_pages: free_heap_pages
        // merges them without a zone check, taking the zone-0 chunk off a list it is not on.
        var board = new MachineOptions { Ram = [Bank(0x4000_0000, (1UL << 30) + (16 * MiB))], Cpus = 1 };

        var buffered = Boot(board);
        Assert.Equal(new MfnRange(new Mfn(0x7c000), 16384), buffered.HeapModel.XenheapRange);
        AssertConsistent(buffered);

        // Unbuffered, the heap's own guard refuses the free that would meet the xenheap's edge (Xen has no such guard).
        var refused = Assert.Throws<XenMmException>(new XenMachine(board, new Arm32Architecture(xenheapBuffers: false)).Boot);
        Assert.Contains("init_xenheap_pages", refused.Message, StringComparison.Ordinal);

        // With the guard off too, the boot does what Xen would do without the buffers.
        var broken = Boot(board, new Arm32Architecture(xenheapBuffers: false, heap => heap.GuardXenheapEdges = false));
        Assert.Empty(broken.HeapModel.BufferPages);

        // The merged chunk (order 17 at 0x60000, on zone 19's list) now holds the xenheap, while zone 0's list still
        // names 0x7c000 as free: the same 16384 pages are counted free twice (avail[0] and avail[19]).
        var violations = broken.Audit();
        Assert.Contains(violations, v => v.Check == "5 chunk-zone" && v.Mfn == new Mfn(0x60000));
        Assert.Contains(violations, v => v.Check == "11 split-buffers" && v.Mfn == new Mfn(0x60000));
        Assert.Contains(violations, v => v.Check == "2 head-and-list" && v.Mfn == new Mfn(0x7c000));
        Assert.Contains(violations, v => v.Check == "census" && v.Detail.Contains("2 categories", StringComparison.Ordinal));
    }

    [Fact]
    public void Xenheap_alloc_and_free_allocate_nothing()
    {
        var model = Small().HeapModel;
        Assert.Equal(0, Allocations.FewestBytes(() =>
        {
            for (var i = 0; i < 64; i++)
            {
                model.TryAllocXenheapPages(i % 3, MemFlags.None, out var va);
                model.FreeXenheapPages(va, i % 3);
            }
        }));
    }
}

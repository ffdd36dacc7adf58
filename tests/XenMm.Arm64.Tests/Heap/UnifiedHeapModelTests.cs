using XenMm.Arm64.Heap;
using XenMm.Arm64.Tests.Machine;
using XenMm.Heap;
using XenMm.Machine;

namespace XenMm.Arm64.Tests.Heap;

/// <summary>The unified heap's xenheap: alloc through the domheap with PGC_xen_heap, free clearing it, refusals.</summary>
public class UnifiedHeapModelTests
{
    private const ulong Gib = 1UL << 30;

    private static (XenMachine Machine, UnifiedHeapModel Model) Boot(XenProfile profile = XenProfile.Current)
    {
        var board = Arm64Boards.Banks((Gib, Gib));
        board.Profile = profile;
        var machine = Arm64Boards.Boot(board);
        return (machine, (UnifiedHeapModel)machine.HeapModel);
    }

    [Fact]
    public void Alloc_flags_every_page_and_free_clears_the_flag_and_frees_dirty()
    {
        var (machine, model) = Boot();
        var before = machine.Heap.TotalAvailPages;
        var dirty = machine.Heap.NodeNeedScrub(0); // bootscrub=idle: every boot page enters the heap dirty
        Assert.True(model.TryAllocXenheapPages(2, MemFlags.None, out var va));
        var mfn = model.VirtToMaddr(va).Mfn;
        Assert.Equal("unified", model.Name);
        Assert.Null(model.XenheapRange);
        Assert.Empty(model.BufferPages);
        Assert.Equal([new MfnRange(mfn, 4)], model.XenheapAllocations);
        for (var i = 0UL; i < 4; i++)
        {
            Assert.True(model.IsXenHeapPage(mfn + i));
            Assert.True(model.IsXenHeapMfn(mfn + i));
            Assert.NotEqual(0UL, machine.Heap.GetPage(mfn + i).CountInfo & machine.Heap.Config.PageCount.XenHeap);
        }

        Assert.False(model.IsXenHeapPage(mfn + 4));
        Assert.False(model.IsXenHeapMfn(new Mfn(0x1234))); // not even mfn_valid
        Assert.Equal(4UL, machine.Census()[PageUse.Xenheap]);
        Assert.Empty(machine.Audit());

        model.FreeXenheapPages(va, 2);
        Assert.False(model.IsXenHeapPage(mfn));
        Assert.Empty(model.XenheapAllocations);
        Assert.Equal(before, machine.Heap.TotalAvailPages);
        Assert.Equal(dirty, machine.Heap.NodeNeedScrub(0)); // free_heap_pages(pg, order, true): back dirty
        Assert.Equal(0UL, machine.Heap.Avail(0, 0));
        Assert.Empty(machine.Audit());
    }

    [Fact]
    public void The_2013_profile_frees_without_scrubbing()
    {
        var (machine, model) = Boot(XenProfile.Xen2013);
        Assert.True(model.TryAllocXenheapPages(0, MemFlags.None, out var va));
        model.FreeXenheapPages(va, 0);
        Assert.Equal(0UL, machine.Heap.NodeNeedScrub(0));
        Assert.Empty(machine.Audit());
    }

    [Fact]
    public void Refused_frees_change_nothing()
    {
        var (machine, model) = Boot();
        Assert.True(model.TryAllocXenheapPages(1, MemFlags.None, out var va));
        Assert.True(machine.Domheap.TryAllocPages(null, 0, MemFlags.None, out var anon));
        var hash = machine.Heap.StateHash();

        Assert.Equal(MmError.NotAllocated, Assert.Throws<XenMmException>(() => model.FreeXenheapPages(va, 0)).Error);
        Assert.Equal(MmError.NotAllocated, Assert.Throws<XenMmException>(() => model.FreeXenheapPages(va + 0x1000, 0)).Error);
        Assert.Equal(MmError.NotAllocated, Assert.Throws<XenMmException>(() => model.FreeXenheapPages(model.MaddrToVirt(anon.ToPhysAddr()), 0)).Error);
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => model.FreeXenheapPages(va + 8, 1)).Error);
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => model.FreeXenheapPages(new VirtAddr(0x0000_0A00_4000_0000), 1)).Error);
        Assert.Equal(MmError.InvalidOrder, Assert.Throws<XenMmException>(() => model.TryAllocXenheapPages(19, MemFlags.None, out _)).Error);
        model.FreeXenheapPages(default, 3); // free_xenheap_pages(NULL, ...) returns

        Assert.Equal(hash, machine.Heap.StateHash());
        Assert.Single(model.XenheapAllocations);
        Assert.Empty(machine.Audit());
    }

    [Fact]
    public void Exhaustion_returns_false_and_the_heap_is_intact()
    {
        var board = Arm64Boards.Banks((Gib, 16UL << 20));
        var machine = Arm64Boards.Boot(board);
        var model = machine.HeapModel;
        var got = new List<VirtAddr>();
        while (model.TryAllocXenheapPages(4, MemFlags.None, out var va))
        {
            got.Add(va);
        }

        Assert.NotEmpty(got);
        Assert.Empty(machine.Audit());
        foreach (var va in got)
        {
            model.FreeXenheapPages(va, 4);
        }

        Assert.Empty(machine.Audit());
        Assert.Equal(0UL, machine.Census()[PageUse.Xenheap]);
    }

    [Fact]
    public void The_audit_sees_a_flag_on_a_page_that_is_not_a_live_xenheap_allocation()
    {
        var (machine, _) = Boot();
        Assert.True(machine.Domheap.TryAllocPages(null, 0, MemFlags.None, out var mfn));
        machine.Heap.SetXenHeapFlag(mfn, 0, true);
        Assert.Contains(machine.Audit(), v => v.Check == "unified-heap" && v.Detail.Contains("PGC_xen_heap", StringComparison.Ordinal));
        machine.Heap.SetXenHeapFlag(mfn, 0, false);
        Assert.Empty(machine.Audit());
    }

    [Fact]
    public async Task Concurrent_xenheap_and_domheap_callers_keep_flag_and_record_in_step()
    {
        var (machine, model) = Boot();
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var rng = new Random(w);
            var held = new List<(VirtAddr Va, int Order)>();
            for (var i = 0; i < 2000; i++)
            {
                if (held.Count > 0 && rng.Next(2) == 0)
                {
                    var k = rng.Next(held.Count);
                    model.FreeXenheapPages(held[k].Va, held[k].Order);
                    held.RemoveAt(k);
                }
                else
                {
                    var order = rng.Next(4);
                    if (model.TryAllocXenheapPages(order, MemFlags.None, out var va))
                    {
                        held.Add((va, order));
                    }
                }

                if (w == 0 && i % 100 == 0)
                {
                    // The model's own checks hold at any moment: it flags and records under one lock.
                    var violations = new List<XenMm.Audit.AuditViolation>();
                    model.Audit(violations);
                    Assert.Empty(violations);
                }
            }

            foreach (var (va, order) in held)
            {
                model.FreeXenheapPages(va, order);
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Empty(model.XenheapAllocations);
        Assert.Empty(machine.Audit());
    }
}

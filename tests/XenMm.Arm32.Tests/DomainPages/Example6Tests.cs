using XenMm.Arm32.DomainPages;
using XenMm.Machine;
using XenMm.Tests.Shared;
using static XenMm.Arm32.Tests.Machine.Arm32TestBoards;

namespace XenMm.Arm32.Tests.DomainPages;

/// <summary>
/// xen-mm.md Example 6 and §3.3 on a booted two-CPU machine (2.5 GiB at 0x8000_0000): slots, VAs, reference counts,
/// descriptors, Xen's probe order, reuse, commandeering, the 15-reference limit, exhaustion, per-CPU isolation.
/// </summary>
public class Example6Tests
{
    private readonly XenMachine _m;
    private readonly DomainPageSlots _slots;

    public Example6Tests()
    {
        _m = Boot(new MachineOptions { Ram = [Bank(0x8000_0000, 0xA000_0000)], Cpus = 2 });
        _slots = (DomainPageSlots)_m.DomainPages;
    }

    private ulong[] Snapshot(int cpu) => [.. Enumerable.Range(0, 1024).Select(s => _slots.SlotEntry(cpu, s))];

    [Fact]
    public void Example6_slots_vas_refcounts_and_descriptors()
    {
        Assert.Equal(0UL, _slots.SlotEntry(0, 120));
        Assert.Equal(new VirtAddr(0x8F12_3000), _m.DomainPages.Map(0, new Mfn(0x8F123)));
        Assert.Equal(0x00C0_0000_8F00_0F7DUL, _slots.SlotEntry(0, 120));
        Assert.Equal(1, _slots.RefCount(0, 120));

        Assert.Equal(new VirtAddr(0x8F1F_F000), _m.DomainPages.Map(0, new Mfn(0x8F1FF)));
        Assert.Equal(2, _slots.RefCount(0, 120));

        // 0x10F000 hashes to slot 120 too; it holds another region, so the probe moves on to 121.
        Assert.Equal(new VirtAddr(0x8F20_0000), _m.DomainPages.Map(0, new Mfn(0x10F000)));
        Assert.Equal(0x00C0_0001_0F00_0F7DUL, _slots.SlotEntry(0, 121));

        _m.DomainPages.Unmap(0, new VirtAddr(0x8F12_3000));
        Assert.Equal(1, _slots.RefCount(0, 120));
        Assert.Equal(new Mfn(0x8F1FF), _m.DomainPages.ToMfn(0, new VirtAddr(0x8F1F_F000)));
        Assert.Equal(new Mfn(0x10F000), _m.DomainPages.ToMfn(0, new VirtAddr(0x8F20_0000)));
        AssertConsistent(_m);
    }

    [Fact]
    public void A_slot_mapped_on_CPU0_is_not_visible_through_CPU1s_tables()
    {
        var va = _m.DomainPages.Map(0, new Mfn(0x8F123));
        Assert.Equal(new PhysAddr(0x8F12_3000), _m.Cpus[0].Mappings.Translate(va).PhysAddr);
        Assert.True(_m.Cpus[1].Mappings.Translate(va).IsFault);
        Assert.Equal(0UL, _slots.SlotEntry(1, 120));
        Assert.Equal(MmError.NotMapped, Assert.Throws<XenMmException>(() => _m.DomainPages.ToMfn(1, va)).Error);
        Assert.Equal(MmError.NotMapped, Assert.Throws<XenMmException>(() => _m.DomainPages.Unmap(1, va)).Error);

        // The same MFN on CPU 1 gets CPU 1's own slot 120, and each CPU reads its own descriptor.
        Assert.Equal(va, _m.DomainPages.Map(1, new Mfn(0x8F123)));
        Assert.Equal(_slots.SlotEntry(0, 120), _slots.SlotEntry(1, 120));
        Assert.NotEqual(_m.Cpus[0].Root, _m.Cpus[1].Root);

        // Xen's shared tables are seen by both: the xenheap and a global mapping.
        Assert.Equal(_m.Cpus[0].Mappings.Translate(new VirtAddr(0x4000_0000)).PhysAddr, _m.Cpus[1].Mappings.Translate(new VirtAddr(0x4000_0000)).PhysAddr);
        AssertConsistent(_m);
    }

    [Fact]
    public void One_TLB_flush_of_the_page_per_map_and_none_per_unmap()
    {
        var before = _slots.TlbFlushes(0);
        var va = _m.DomainPages.Map(0, new Mfn(0x8F123));
        Assert.Equal(before + 1, _slots.TlbFlushes(0));
        Assert.Equal(va, _slots.LastFlushedVa(0));
        _m.DomainPages.Map(0, new Mfn(0x8F124));
        Assert.Equal(before + 2, _slots.TlbFlushes(0));
        _m.DomainPages.Unmap(0, va);
        Assert.Equal(before + 2, _slots.TlbFlushes(0));
        Assert.Equal(0L, _slots.TlbFlushes(1));
    }

    [Fact]
    public void A_slot_with_count_0_still_mapping_the_region_is_reused_without_rewriting()
    {
        var va = _m.DomainPages.Map(0, new Mfn(0x8F123));
        _m.DomainPages.Unmap(0, va);
        var stale = _slots.SlotEntry(0, 120);
        Assert.Equal(0x0040_0000_8F00_0F7DUL, stale); // valid, count 0: unmap leaves the descriptor in place
        Assert.Equal(new PhysAddr(0x8F12_3000), _m.Cpus[0].Mappings.Translate(va).PhysAddr);

        Assert.Equal(new VirtAddr(0x8F00_5000), _m.DomainPages.Map(0, new Mfn(0x8F005)));
        Assert.Equal(stale + (1UL << 55), _slots.SlotEntry(0, 120));
    }

    [Fact]
    public void A_slot_with_count_0_for_another_region_is_commandeered()
    {
        var va = _m.DomainPages.Map(0, new Mfn(0x8F123));
        _m.DomainPages.Unmap(0, va);

        // Region 0x10F000 also hashes to slot 120 ((120 + 2048) << 9); the slot's count is 0, so it is rewritten.
        Assert.Equal(new VirtAddr(0x8F00_0000), _m.DomainPages.Map(0, new Mfn(0x10F000)));
        Assert.Equal(0x00C0_0001_0F00_0F7DUL, _slots.SlotEntry(0, 120));
        Assert.Equal(new PhysAddr(0x1_0F00_0000), _m.Cpus[0].Mappings.Translate(new VirtAddr(0x8F00_0000)).PhysAddr);
    }

    [Fact]
    public void The_sixteenth_reference_takes_the_next_slot_for_the_same_region()
    {
        for (var i = 0; i < 15; i++)
        {
            Assert.Equal(new VirtAddr(0x9000_0000 + ((ulong)i << 12)), _m.DomainPages.Map(0, new Mfn(0x90000 + (ulong)i)));
        }

        Assert.Equal(15, _slots.RefCount(0, 128));
        Assert.Equal(new VirtAddr(0x8000_0000 + (129UL << 21) + 0x1000), _m.DomainPages.Map(0, new Mfn(0x90001)));
        Assert.Equal((1, _slots.SlotEntry(0, 128) & 0x0000_FFFF_FFFF_F000), (_slots.RefCount(0, 129), _slots.SlotEntry(0, 129) & 0x0000_FFFF_FFFF_F000));
        AssertConsistent(_m);
    }

    [Fact]
    public void Exhausting_the_slots_is_SlotsExhausted_and_changes_nothing()
    {
        for (var i = 0UL; i < 1024; i++)
        {
            _m.DomainPages.Map(1, new Mfn(0x80000 + (i << 9)));
        }

        var before = Snapshot(1);
        var ex = Assert.Throws<XenMmException>(() => _m.DomainPages.Map(1, new Mfn(0x80000 + (1024UL << 9))));
        Assert.Equal(MmError.SlotsExhausted, ex.Error);
        Assert.Equal(before, Snapshot(1));

        // A region already mapped below the limit is still reusable.
        Assert.Equal(new VirtAddr(0x8000_0000 + 0x1000), _m.DomainPages.Map(1, new Mfn(0x80001)));
        AssertConsistent(_m);
    }

    [Fact]
    public void Refusals_name_the_error_and_change_nothing()
    {
        var before = Snapshot(0);
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => _m.DomainPages.Map(2, new Mfn(0x8F123))).Error);
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => _m.DomainPages.Map(-1, new Mfn(0x8F123))).Error);
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => _m.DomainPages.Map(0, new Mfn(0x10))).Error);
        Assert.Equal(MmError.NotMapped, Assert.Throws<XenMmException>(() => _m.DomainPages.Unmap(0, new VirtAddr(0x8F12_3000))).Error);
        Assert.Equal(MmError.NotMapped, Assert.Throws<XenMmException>(() => _m.DomainPages.Unmap(0, new VirtAddr(0x4000_0000))).Error);
        Assert.Equal(MmError.NotMapped, Assert.Throws<XenMmException>(() => _m.DomainPages.ToMfn(0, new VirtAddr(0x8F12_3000))).Error);
        Assert.Equal(MmError.NotMapped, Assert.Throws<XenMmException>(() => _m.DomainPages.UnmapGlobal(new VirtAddr(0x1000_7000))).Error);
        _m.DomainPages.Unmap(0, default); // Xen ignores a null pointer
        Assert.Equal(before, Snapshot(0));
    }

    [Fact]
    public void Map_domain_page_global_goes_through_vmap_and_every_CPU_sees_it()
    {
        var va = _m.DomainPages.MapGlobal(new Mfn(0x8F123));
        Assert.Equal(new VirtAddr(0x1000_7000), va); // Example 6: the first vmap(1 page)
        Assert.Equal(new PhysAddr(0x8F12_3000), _m.Cpus[0].Mappings.Translate(va).PhysAddr);
        Assert.Equal(new PhysAddr(0x8F12_3000), _m.Cpus[1].Mappings.Translate(va).PhysAddr);
        Assert.Equal(new Mfn(0x8F123), _m.DomainPages.ToMfn(1, va));
        _m.DomainPages.UnmapGlobal(va);
        Assert.True(_m.Cpus[1].Mappings.Translate(va).IsFault);
        Assert.Equal(MmError.NotMapped, Assert.Throws<XenMmException>(() => _m.DomainPages.ToMfn(0, va)).Error);
        AssertConsistent(_m);
    }

    [Fact]
    public void Secondary_CPU_bring_up_leaves_the_boot_CPUs_init_ttbr_slot_valid_with_count_0()
    {
        // Xen: set_init_ttbr maps the page of init_ttbr (in Xen's image at 0x8001_0000) on CPU 0 and unmaps it.
        Assert.Equal(0x0040_0000_8000_0F7DUL, _slots.SlotEntry(0, 0));
        Assert.Equal(0UL, _slots.SlotEntry(1, 0));
    }

    [Fact]
    public void Map_and_unmap_allocate_nothing()
    {
        var mapper = _m.DomainPages;
        Assert.Equal(0, Allocations.FewestBytes(() =>
        {
            for (var i = 0UL; i < 64; i++)
            {
                mapper.Unmap(1, mapper.Map(1, new Mfn(0x90000 + (i * 4099 % 0x10000))));
            }
        }));
    }
}

using XenMm.Arm64.PageTables;
using XenMm.PageTables;
using XenMm.Tests.Shared;

namespace XenMm.Arm64.Tests.PageTables;

/// <summary>Xen's xen_pt_update rules (xen/arch/arm/mmu/pt.c) on arm64 tables: shapes, descriptors, refusals, TLB maintenance.</summary>
public class XenMappingsTests
{
    private const ulong Va = 0x0000_0A00_4000_0000;
    private const ulong Mib2 = 2UL << 20;

    private readonly TestHost _host = new();
    private readonly XenMappings<Vmsa64Format> _xen;

    public XenMappingsTests()
    {
        _xen = XenMappings<Vmsa64Format>.Create(_host.Memory, _host.Frames);
    }

    private PageTables<Vmsa64Format> Tables => _xen.Tables;

    [Fact]
    public void Example5a_level2_block_of_page_hypervisor_rw()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 512, PageFlags.HypervisorRw | PageFlags.Block);
        var walk = Tables.Walk(new VirtAddr(Va));
        Assert.Equal(3, walk.Length);
        Assert.Equal(0x0040_0000_8000_0F7DUL, walk[2].Raw);
        Assert.Equal(DescriptorKind.Block, walk[2].Kind);
    }

    [Fact]
    public void Example5b_level3_page_of_page_hypervisor_rw()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.HypervisorRw);
        Assert.Equal(0x0040_0000_8000_0F7FUL, Tables.Walk(new VirtAddr(Va))[3].Raw);
    }

    [Fact]
    public void One_page_builds_one_chain_of_tables_with_xen_table_descriptors()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.HypervisorRw);

        // Hafnium-style shape: one valid entry per level, every table entry is mfn_to_xen_entry(MT_NORMAL) + table.
        var walk = Tables.Walk(new VirtAddr(Va));
        Assert.Equal([0x014, 0x001, 0x000, 0x000], walk.Select(s => s.Index));
        foreach (var step in walk[..3])
        {
            Assert.Equal(0x0040_0000_0000_0F7FUL, step.Raw & ~Vmsa64Entry.OutputAddressMask);
            var table = step.DescriptorAddress.Value & ~0xFFFUL;
            var valid = Enumerable.Range(0, 512).Count(i => (_host.Memory.ReadU64(new PhysAddr(table + ((ulong)i * 8))) & 1) != 0);
            Assert.Equal(1, valid);
        }

        Assert.Equal(4, Tables.TablePages.Count);
        Assert.Equal(4, _host.Frames.Used);
    }

    [Fact]
    public void Block_flag_uses_1g_then_2m_then_contig_runs_of_16()
    {
        // 1 GiB + 32 MiB + 4 KiB from a 1 GiB-aligned VA and MFN: one L1 block, 16 contig L2 blocks, one page.
        var pages = (1UL << 18) + (16 * 512) + 1;
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), pages, PageFlags.HypervisorRw | PageFlags.Block);
        Assert.Equal(0x0040_0000_8000_0F7DUL, Tables.Walk(new VirtAddr(Va))[1].Raw);
        var l2 = Tables.Walk(new VirtAddr(Va + (1UL << 30)))[2];
        Assert.Equal(0x0050_0000_C000_0F7DUL, l2.Raw);
        Assert.Equal(0x0050_0000_C1E0_0F7DUL, Tables.Walk(new VirtAddr(Va + (1UL << 30) + (15 * Mib2)))[2].Raw);
        Assert.Equal(0x0040_0000_C200_0F7FUL, Tables.Walk(new VirtAddr(Va + (1UL << 30) + (16 * Mib2)))[3].Raw);
        Assert.Equal([new MappedRange(new VirtAddr(Va), new PhysAddr(0x8000_0000), pages * 4096, LeafAttributes.FromXenFlags(PageFlags.HypervisorRw))], Tables.Dump());
    }

    [Fact]
    public void Refuses_write_and_execute()
    {
        AssertRefused(MmError.WriteAndExecute, () => _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.Normal), tlb: null);
    }

    [Fact]
    public void Refuses_contig_passed_by_the_caller()
    {
        AssertRefused(MmError.InvalidFlags, () => _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 16, PageFlags.HypervisorRw | PageFlags.Contig), tlb: null);
    }

    [Fact]
    public void Refuses_an_unaligned_va()
    {
        AssertRefused(MmError.Misaligned, () => _xen.Map(new VirtAddr(Va + 0x10), new Mfn(0x80000), 1, PageFlags.HypervisorRw), tlb: null);
    }

    [Fact]
    public void Refuses_to_overwrite_a_valid_entry_and_maps_nothing_of_the_range()
    {
        _xen.Map(new VirtAddr(Va + (3 * 4096)), new Mfn(0x90000), 1, PageFlags.HypervisorRw);
        var ex = AssertRefused(MmError.AlreadyMapped, () => _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 8, PageFlags.HypervisorRw), tlb: TlbOperation.Isb);
        Assert.Contains("0xA0040003000", ex.Message);
        Assert.True(Tables.Translate(new VirtAddr(Va)).IsFault);
    }

    [Fact]
    public void Refuses_to_replace_a_table_with_a_block()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.HypervisorRw);
        AssertRefused(MmError.TableEntry, () => _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 512, PageFlags.HypervisorRw | PageFlags.Block), tlb: TlbOperation.Isb);
    }

    [Fact]
    public void Refuses_to_shatter_a_block_on_map_destroy_and_modify()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 512, PageFlags.HypervisorRw | PageFlags.Block);
        AssertRefused(MmError.WouldShatterBlock, () => _xen.Map(new VirtAddr(Va + 4096), new Mfn(0x90000), 1, PageFlags.HypervisorRw), tlb: TlbOperation.Isb);

        // Xen quirk: destroy_xen_mappings works at level 3 only, so even destroying a whole 2 MiB block is refused.
        AssertRefused(MmError.WouldShatterBlock, () => _xen.Destroy(new VirtAddr(Va), new VirtAddr(Va + Mib2)), tlb: TlbOperation.FlushRange);
        AssertRefused(MmError.WouldShatterBlock, () => _xen.Modify(new VirtAddr(Va), new VirtAddr(Va + 4096), PageFlags.HypervisorRo), tlb: TlbOperation.FlushRange);
    }

    [Fact]
    public void Refuses_to_remove_a_table()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.HypervisorRw);

        // A removal with _PAGE_BLOCK targets level 2, where the entry is the table holding the page.
        AssertRefused(MmError.TableEntry, () => _xen.Map(new VirtAddr(Va), Mfn.Invalid, 512, PageFlags.Block), tlb: TlbOperation.FlushRange);
    }

    [Fact]
    public void Refuses_to_remove_or_modify_a_contig_entry()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 16, PageFlags.HypervisorRw | PageFlags.Block);
        Assert.Equal(0x0050_0000_8000_0F7FUL, Tables.Walk(new VirtAddr(Va))[3].Raw);
        AssertRefused(MmError.ContiguousEntry, () => _xen.Destroy(new VirtAddr(Va), new VirtAddr(Va + 4096)), tlb: TlbOperation.FlushRange);
        AssertRefused(MmError.ContiguousEntry, () => _xen.Modify(new VirtAddr(Va), new VirtAddr(Va + 4096), PageFlags.HypervisorRo), tlb: TlbOperation.FlushRange);
    }

    [Fact]
    public void Refuses_to_change_attrindx_on_modify()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 4, PageFlags.HypervisorRw);
        AssertRefused(MmError.AttributeMismatch, () => _xen.Modify(new VirtAddr(Va), new VirtAddr(Va + (4 * 4096)), PageFlags.HypervisorNoCache), tlb: TlbOperation.FlushRange);
    }

    [Fact]
    public void Refuses_to_modify_what_is_not_mapped()
    {
        AssertRefused(MmError.NotMapped, () => _xen.Modify(new VirtAddr(Va), new VirtAddr(Va + 4096), PageFlags.HypervisorRo), tlb: TlbOperation.FlushRange);
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.HypervisorRw);
        AssertRefused(MmError.NotMapped, () => _xen.Modify(new VirtAddr(Va), new VirtAddr(Va + (2 * 4096)), PageFlags.HypervisorRo), tlb: TlbOperation.FlushRange);
        Assert.False(Tables.Translate(new VirtAddr(Va)).Attributes.ReadOnly);
    }

    [Fact]
    public void Allocation_failure_rolls_back_every_table_taken()
    {
        var host = new TestHost(frames: 3);
        var xen = XenMappings<Vmsa64Format>.Create(host.Memory, host.Frames);
        var before = host.Snapshot();
        var ex = Assert.Throws<XenMmException>(() => xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.HypervisorRw));
        Assert.Equal(MmError.OutOfMemory, ex.Error);
        Assert.Equal(before, host.Snapshot());
        Assert.Equal(1, host.Frames.Used);
        Assert.True(xen.Tables.Audit().IsClean);
    }

    [Fact]
    public void Modify_sets_ro_and_xn_and_keeps_the_rest()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 2, PageFlags.HypervisorRw);
        _xen.Modify(new VirtAddr(Va), new VirtAddr(Va + (2 * 4096)), PageFlags.HypervisorRx);
        Assert.Equal(0x0000_0000_8000_0FFFUL, Tables.Walk(new VirtAddr(Va))[3].Raw);
        var t = Tables.Translate(new VirtAddr(Va + 4096 + 0x10), AccessType.Execute);
        Assert.Equal(new PhysAddr(0x8000_1010), t.PhysAddr);
        Assert.Equal(AccessPermissions.Read | AccessPermissions.Execute, t.Permissions);
        Assert.Equal(FaultKind.Permission, Tables.Translate(new VirtAddr(Va), AccessType.Write).Fault);
    }

    [Fact]
    public void Destroy_clears_leaves_keeps_tables_and_skips_missing_ones()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 4, PageFlags.HypervisorRw);
        _xen.Destroy(new VirtAddr(Va), new VirtAddr(Va + (1UL << 30)));
        Assert.Empty(Tables.Dump());
        Assert.Equal(4, Tables.TablePages.Count);
        Assert.True(Tables.Audit().IsClean);
    }

    [Fact]
    public void Populate_creates_level3_tables_and_no_leaf()
    {
        _xen.Populate(new VirtAddr(Va), 1024);
        Assert.Equal(1 + 1 + 1 + 2, Tables.TablePages.Count);
        var t = Tables.Translate(new VirtAddr(Va + 0x20_0000));
        Assert.Equal((FaultKind.Translation, 3), (t.Fault, t.Level));
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.HypervisorRw);
        Assert.Equal(5, Tables.TablePages.Count);
    }

    [Fact]
    public void Tlb_log_has_an_isb_for_inserts_and_a_range_flush_otherwise()
    {
        _xen.Map(new VirtAddr(Va), new Mfn(0x80000), 2, PageFlags.HypervisorRw);
        _xen.Modify(new VirtAddr(Va), new VirtAddr(Va + 8192), PageFlags.HypervisorRo);
        _xen.Destroy(new VirtAddr(Va), new VirtAddr(Va + 8192));
        _xen.Populate(new VirtAddr(Va), 1);
        Assert.Equal(
            [
                new TlbMaintenance(TlbOperation.Isb, new VirtAddr(Va), 8192),
                new TlbMaintenance(TlbOperation.FlushRange, new VirtAddr(Va), 8192),
                new TlbMaintenance(TlbOperation.FlushRange, new VirtAddr(Va), 8192),
                new TlbMaintenance(TlbOperation.FlushRange, new VirtAddr(Va), 4096),
            ],
            _xen.TlbLog);
    }

    // Xen's early checks return before any TLB maintenance; a refused insert still ends with an ISB, any other
    // refused update still flushes the range (xen_pt_update).
    private XenMmException AssertRefused(MmError expected, Action update, TlbOperation? tlb)
    {
        var before = _host.Snapshot();
        var tables = Tables.TablePages.Count;
        var log = _xen.TlbLog.Count;
        var ex = Assert.Throws<XenMmException>(update);
        Assert.Equal(expected, ex.Error);
        Assert.Contains("0x", ex.Message);
        Assert.Equal(before, _host.Snapshot());
        Assert.Equal(tables, Tables.TablePages.Count);
        Assert.Equal(tlb is null ? log : log + 1, _xen.TlbLog.Count);
        if (tlb is { } operation)
        {
            Assert.Equal(operation, _xen.TlbLog[^1].Operation);
        }

        return ex;
    }
}

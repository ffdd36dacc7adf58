using XenMm.Arm32.PageTables;
using XenMm.PageTables;
using XenMm.Tests.Shared;

namespace XenMm.Arm32.Tests.PageTables;

/// <summary>Xen's mapping rules on arm32 LPAE tables (root at level 1): reference Example 5 (c) and (d) from the engine.</summary>
public class LpaeMappingsTests
{
    [Fact]
    public void Example5c_xenheap_first_entry_is_a_contig_level2_block()
    {
        // Example 1's xenheap: PA 0xFC00_0000 mapped at VA 1 GiB with _PAGE_BLOCK; 32 MiB gives one contig run.
        var host = new TestHost();
        var xen = XenMappings<LpaeFormat>.Create(host.Memory, host.Frames);
        xen.Map(new VirtAddr(0x4000_0000), new PhysAddr(0xFC00_0000).Mfn, 16 * 512, PageFlags.HypervisorRw | PageFlags.Block);
        var walk = xen.Tables.Walk(new VirtAddr(0x4000_0000));
        Assert.Equal(2, walk.Length);
        Assert.Equal((1, 1), (walk[0].Level, walk[0].Index));
        Assert.Equal(0x0050_0000_FC00_0F7DUL, walk[1].Raw);
        Assert.Equal(0x0050_0000_FDE0_0F7DUL, xen.Tables.Walk(new VirtAddr(0x41E0_0000))[1].Raw);
        Assert.Equal(2, xen.Tables.TablePages.Count);
    }

    [Fact]
    public void Example5d_2013_profile_makes_outer_shareable_entries()
    {
        var host = new TestHost();
        var xen = XenMappings<LpaeFormat>.Create(host.Memory, host.Frames, XenProfile.Xen2013);
        xen.Map(new VirtAddr(0x4000_0000), new PhysAddr(0x8000_0000).Mfn, 16 * 512, PageFlags.HypervisorRw | PageFlags.Block);
        Assert.Equal(0x0050_0000_8000_0E7DUL, xen.Tables.Walk(new VirtAddr(0x4000_0000))[1].Raw);
    }

    [Fact]
    public void Translate_gives_the_same_answer_wherever_the_tables_lie() =>
        ScatteredTables.Check<LpaeFormat>(slot => ((ulong)(slot / 16) << 30) | ((ulong)(slot % 16) << 21));

    [Fact]
    public void Lpae_root_has_four_reachable_entries_and_32_bit_vas()
    {
        var host = new TestHost();
        var xen = XenMappings<LpaeFormat>.Create(host.Memory, host.Frames);
        Assert.Equal(4, PageTables<LpaeFormat>.RootEntries);
        var ex = Assert.Throws<XenMmException>(() => xen.Map(new VirtAddr(0xFFFF_F000), new Mfn(0x80000), 2, PageFlags.HypervisorRw));
        Assert.Equal(MmError.InvalidAddress, ex.Error);
        xen.Map(new VirtAddr(0xFFFF_F000), new Mfn(0x80000), 1, PageFlags.HypervisorRw);
        var t = xen.Translate(new VirtAddr(0xFFFF_F123));
        Assert.Equal((FaultKind.None, 3, new PhysAddr(0x8000_0123)), (t.Fault, t.Level, t.PhysAddr));
        Assert.Equal(FaultKind.Translation, xen.Translate(new VirtAddr(0x1_0000_0000)).Fault);
    }
}

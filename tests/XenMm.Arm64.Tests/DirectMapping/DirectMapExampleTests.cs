using XenMm.Arm64.Heap;
using XenMm.PageTables;
using XenMm.Arm64.Tests.Machine;

namespace XenMm.Arm64.Tests.DirectMapping;

/// <summary>xen-mm.md Example 7: one bank [0xA000_0000, 0x1_2000_0000), not 1 GiB-aligned, no PDX compression.</summary>
public class DirectMapExampleTests
{
    private const ulong DirectMap = 0x0000_8000_0000_0000;
    private const ulong Mib2 = 1UL << 21;

    private static readonly XenMachine Machine = Arm64Boards.Boot((0xA000_0000, 0x8000_0000));

    [Fact]
    public void The_first_bank_fixes_the_start_so_VA_is_PA_mod_1GiB()
    {
        var map = ((UnifiedHeapModel)Machine.HeapModel).DirectMap;
        Assert.False(Machine.FrameTable.Pdx.IsCompressed);
        Assert.Equal(new VirtAddr(0x0000_8000_2000_0000), map.VirtStart);
        Assert.Equal(new Pdx(0xA0000), map.BasePdx);
        Assert.Equal(new Mfn(0xA0000), map.MfnStart);
        Assert.Equal(new Mfn(0x120000), map.MfnEnd);
        Assert.Equal(new VirtAddr(0x0000_8000_2012_3000), Machine.HeapModel.MaddrToVirt(new PhysAddr(0xA012_3000)));
        Assert.Equal(new PhysAddr(0xA012_3000), Machine.HeapModel.VirtToMaddr(new VirtAddr(0x0000_8000_2012_3000)));
        Assert.Equal(0xA012_3000UL % (1UL << 30), 0x0000_8000_2012_3000UL % (1UL << 30));
    }

    [Fact]
    public void The_mapping_is_256_contig_2MiB_blocks_one_1GiB_block_and_256_contig_2MiB_blocks()
    {
        var shapes = new List<(ulong Va, int Level, bool Contig)>();
        for (var va = 0x0000_8000_2000_0000UL; va < 0x0000_8000_A000_0000UL; va += Mib2)
        {
            var t = Machine.Mappings.Translate(new VirtAddr(va));
            Assert.False(t.IsFault);
            Assert.Equal(new PhysAddr(va - DirectMap + 0x8000_0000), t.PhysAddr);
            Assert.Equal(0b01UL, t.Descriptor & 0b11); // a block descriptor at levels 1 and 2
            if (shapes.Count == 0 || t.Level == 2 || shapes[^1].Level != 1)
            {
                shapes.Add((va, t.Level, t.Attributes.Contiguous));
            }
        }

        // [0xA000_0000, 0xC000_0000): 256 level-2 blocks in 16 contig groups of 16.
        Assert.Equal(256, shapes.Count(s => s.Level == 2 && s.Va < 0x0000_8000_4000_0000));
        Assert.All(shapes.Where(s => s.Level == 2), s => Assert.True(s.Contig));
        // [0xC000_0000, 0x1_0000_0000): one level-1 block, no contig (that would need 16 GiB).
        var gb = Assert.Single(shapes, s => s.Level == 1);
        Assert.Equal((0x0000_8000_4000_0000UL, false), (gb.Va, gb.Contig));
        // [0x1_0000_0000, 0x1_2000_0000): 512 MiB left, 256 level-2 blocks with contig again.
        Assert.Equal(256, shapes.Count(s => s.Level == 2 && s.Va >= 0x0000_8000_8000_0000));

        // Each contig group starts 32 MiB-aligned in both VA and PA.
        foreach (var s in shapes.Where(s => s.Level == 2 && (s.Va & ((32UL << 20) - 1)) == 0))
        {
            Assert.Equal(0UL, (s.Va - DirectMap + 0x8000_0000) & ((32UL << 20) - 1));
        }
    }

    [Fact]
    public void The_tables_have_the_exact_shape()
    {
        var tables = ((XenMappings<XenMm.Arm64.PageTables.Vmsa64Format>)Machine.Mappings).Tables;
        var walk = tables.Walk(new VirtAddr(0x0000_8000_2000_0000));
        Assert.Equal((0, 256, DescriptorKind.Table), (walk[0].Level, walk[0].Index, walk[0].Kind)); // L0 slot 256
        Assert.Equal((1, 0, DescriptorKind.Table), (walk[1].Level, walk[1].Index, walk[1].Kind));
        var l1 = new PhysAddr(walk[1].DescriptorAddress.Value & ~0xFFFUL);
        var l2 = new PhysAddr(walk[1].Raw & 0x0000_FFFF_FFFF_F000UL);

        // Level 1: a table for the first GiB, a block for the second, a table for the third; nothing else.
        var l1Kinds = Enumerable.Range(0, 512).Select(i => Machine.Memory.ReadU64(l1 + ((ulong)i * 8)) & 0b11).ToArray();
        Assert.Equal([0b11UL, 0b01UL, 0b11UL], l1Kinds.Take(3));
        Assert.All(l1Kinds.Skip(3), k => Assert.Equal(0UL, k));

        // The first GiB's level-2 table: the first 256 entries are empty, the other 256 are contig blocks.
        for (var i = 0; i < 512; i++)
        {
            var raw = Machine.Memory.ReadU64(l2 + ((ulong)i * 8));
            if (i < 256)
            {
                Assert.Equal(0UL, raw);
                continue;
            }

            Assert.Equal(0b01UL, raw & 0b11);
            Assert.Equal(1UL, (raw >> 52) & 1); // the contiguous hint
            Assert.Equal(0x8000_0000UL + ((ulong)i << 21), raw & 0x0000_FFFF_FFE0_0000UL);
        }
    }

    [Fact]
    public void Nothing_is_mapped_around_the_bank()
    {
        Assert.True(Machine.Mappings.Translate(new VirtAddr(0x0000_8000_2000_0000 - 0x1000)).IsFault);
        Assert.True(Machine.Mappings.Translate(new VirtAddr(0x0000_8000_A000_0000)).IsFault);
        Assert.True(Machine.Mappings.Translate(new VirtAddr(DirectMap)).IsFault);
    }

    [Fact]
    public void Map_domain_page_is_the_direct_map_and_unmap_does_nothing()
    {
        var pages = Machine.DomainPages;
        var mfn = new Mfn(0xFFFFF);
        var va = pages.Map(1, mfn);
        Assert.Equal(Machine.HeapModel.MaddrToVirt(mfn.ToPhysAddr()), va);
        Assert.Equal(mfn, pages.ToMfn(0, va + 0x10));
        pages.Unmap(1, va);
        pages.Unmap(1, va); // no-op, again
        Assert.Equal(va, pages.Map(0, mfn));
        Assert.Equal(va, pages.MapGlobal(mfn));
        pages.UnmapGlobal(va);

        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => pages.Map(2, mfn)).Error);
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => pages.Map(0, new Mfn(0x9FFFF))).Error);
        Assert.Equal(MmError.NotMapped, Assert.Throws<XenMmException>(() => pages.ToMfn(0, new VirtAddr(0x0000_8000_A000_0000))).Error);
        Assert.Equal(MmError.NotMapped, Assert.Throws<XenMmException>(() => pages.Unmap(0, new VirtAddr(0x1000))).Error);
    }
}

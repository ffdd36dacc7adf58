using XenMm.Arm64.Heap;
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

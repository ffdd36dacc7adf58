using XenMm.Audit;
using XenMm.Frames;
using XenMm.Heap;
using XenMm.Memory;

namespace XenMm.Core.Tests.Frames;

/// <summary>PDX mask compression, mfn_valid and the count_info layouts (xen-mm.md §1.2, §1.5).</summary>
public sealed class FrameTableTests
{
    private static readonly RamBank[] TwoBanks =
    [
        new(new PhysAddr(0x8000_0000), 2UL << 30),     // MFNs 0x80000..0xFFFFF
        new(new PhysAddr(0x8_8000_0000), 2UL << 30),   // MFNs 0x880000..0x8FFFFF
    ];

    [Fact]
    public void Mask_compression_squeezes_the_zero_bits_between_banks()
    {
        var pdx = PdxMap.ForBanks(TwoBanks, 18);

        Assert.Equal(0x700000UL, pdx.HoleMask); // bits 20..22 are zero in every bank; bit 23 is not
        Assert.Equal(3, pdx.HoleShift);
        Assert.Equal(new Pdx(0x180000), pdx.ToPdx(new Mfn(0x880000)));
        Assert.Equal(new Mfn(0x8FFFFF), pdx.ToMfn(pdx.ToPdx(new Mfn(0x8FFFFF))));
        Assert.Equal(new Pdx(0x80000), pdx.ToPdx(new Mfn(0x80000)));
    }

    [Fact]
    public void One_bank_needs_no_compression()
    {
        Assert.False(PdxMap.ForBanks([TwoBanks[0]], 18).IsCompressed);
    }

    [Fact]
    public void Mfn_valid_follows_banks_groups_and_the_hole()
    {
        var ft = new FrameTable(TwoBanks, HeapConfig.Arm64);

        Assert.True(ft.MfnValid(new Mfn(0x80000)));
        Assert.True(ft.MfnValid(new Mfn(0x8FFFFF)));
        Assert.False(ft.MfnValid(new Mfn(0x900000)));  // >= max_page
        Assert.False(ft.MfnValid(new Mfn(0x180000)));  // a bit in the hole
        Assert.False(ft.MfnValid(new Mfn(0x7FFFF)));   // below frametable_base_pdx (group 0x40000..0x7FFFF is not RAM)
        Assert.True(ft.Entries < 0x200000);            // compressed: far fewer entries than 0x900000
    }

    [Fact]
    public void Heap_over_compressed_banks_merges_within_each_bank_only()
    {
        var heap = new BuddyHeap(TwoBanks, HeapConfig.Arm64);
        foreach (var b in TwoBanks)
        {
            heap.InitHeapPages(b.StartMfn, b.Pages);
        }

        Assert.Equal(4UL, heap.FreeChunkHistogram()[18]);
        Assert.True(heap.TryAlloc(1, 36, 0, MemFlags.None, out var top));
        Assert.Equal(new Mfn(0x8FFFFF), top);
        Assert.True(heap.TryAlloc(1, 20, 3, MemFlags.Bits(32), out var low));
        Assert.Equal(new Mfn(0xFFFF8), low);
        heap.Free(top, 0);
        heap.Free(low, 3);
        Assert.Equal(4UL, heap.FreeChunkHistogram()[18]);
        Assert.Empty(new HeapAudit(heap).Run());
    }

    [Theory]
    [InlineData(64, 63, 62, 59, 55, 54)]
    [InlineData(32, 31, 30, 27, 23, 22)]
    public void Count_info_bits_sit_at_xens_positions(int bits, int allocated, int xenHeap, int needScrub, int stateShift, int extra)
    {
        var pc = new PageCount(bits, XenProfile.Current);
        Assert.Equal(1UL << allocated, pc.Allocated);
        Assert.Equal(1UL << xenHeap, pc.XenHeap);
        Assert.Equal(1UL << needScrub, pc.NeedScrub);
        Assert.Equal(stateShift, pc.StateShift);
        Assert.Equal(3UL << stateShift, pc.StateFree);
        Assert.Equal(1UL << extra, pc.Extra);
        Assert.Equal((1UL << extra) - 1, pc.CountMask);
    }

    [Fact]
    public void Pages_inside_a_free_chunk_read_as_free()
    {
        var heap = HeapTestMachinesProxy.Empty(0x80000, 64);
        heap.InitHeapPages(new Mfn(0x80000), 64);
        var pc = heap.Config.PageCount;

        var inner = heap.FrameTable.Get(new Mfn(0x80011));
        var head = heap.FrameTable.Get(new Mfn(0x80000));

        Assert.True(inner.IsFree);
        Assert.False(inner.IsFreeHead);
        Assert.Equal(pc.StateFree, inner.CountInfo);
        Assert.True(head.IsFreeHead);
        Assert.Equal(6, head.Order);
        Assert.Equal(heap.Config.InvalidDirtyIdx, head.FirstDirty);
    }
}

internal static class HeapTestMachinesProxy
{
    public static BuddyHeap Empty(ulong baseMfn, ulong pages) => Heap.HeapTestMachines.Empty(baseMfn, pages);
}

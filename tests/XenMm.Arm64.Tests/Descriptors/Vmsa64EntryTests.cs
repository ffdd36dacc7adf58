using XenMm.Arm64;
using XenMm.PageTables;

namespace XenMm.Arm64.Tests.Descriptors;

/// <summary>xen-mm.md Example 5 with the arm64 names: the bits are the same as lpae_pt_t.</summary>
public class Vmsa64EntryTests
{
    // Xen: arch/arm/include/asm/lpae.h, mfn_to_xen_entry [now].
    private static Vmsa64Entry XenEntry(ulong pa, MairIndex ai, Shareability sh) =>
        default(Vmsa64Entry)
            .WithValid(true).WithAttrIndx(ai).WithNS(true).WithAP1(true).WithSH(sh)
            .WithAF(true).WithNG(true).WithOutputAddress(new PhysAddr(pa)).WithXN(true);

    [Theory]
    [InlineData(0x8000_0000UL, MairIndex.MT_NORMAL, Shareability.Inner, false, false, 0x0040_0000_8000_0F7DUL)] // (a)
    [InlineData(0x8000_0000UL, MairIndex.MT_NORMAL, Shareability.Inner, true, false, 0x0040_0000_8000_0F7FUL)]  // (b)
    [InlineData(0xFC00_0000UL, MairIndex.MT_NORMAL, Shareability.Inner, false, true, 0x0050_0000_FC00_0F7DUL)]  // (c)
    [InlineData(0x8000_0000UL, MairIndex.MT_NORMAL, Shareability.Outer, false, true, 0x0050_0000_8000_0E7DUL)]  // (d)
    [InlineData(0x1C09_0000UL, MairIndex.MT_DEVICE_nGnRE, Shareability.Outer, true, false, 0x0040_0000_1C09_0E73UL)] // (e)
    public void Example5_builds_and_decodes(ulong pa, MairIndex ai, Shareability sh, bool table, bool contig, ulong raw)
    {
        Assert.Equal(raw, XenEntry(pa, ai, sh).WithTable(table).WithContiguous(contig).Raw);
        var e = new Vmsa64Entry(raw);
        Assert.True(e.Valid);
        Assert.Equal(table, e.Table);
        Assert.Equal(ai, e.AttrIndx);
        Assert.True(e.NS);
        Assert.True(e.AP1);
        Assert.False(e.ReadOnly);
        Assert.Equal(sh, e.SH);
        Assert.True(e.AF);
        Assert.True(e.NG);
        Assert.Equal(new PhysAddr(pa), e.OutputAddress);
        Assert.Equal(contig, e.Contiguous);
        Assert.False(e.PXN);
        Assert.True(e.XN);
        Assert.Equal(0, e.Software);
        Assert.False(e.HasReservedBitsSet);
    }

    [Fact]
    public void Example5f_MAIRVAL()
    {
        Assert.Equal(0xFF000004_EEAA4400UL, Mair.Value);
    }

    [Fact]
    public void Example6_slot_pte_software_bits()
    {
        var e = new Vmsa64Entry(0x00C0_0000_8F00_0F7D);
        Assert.Equal(1, e.Software);
        Assert.Equal(new PhysAddr(0x8F00_0000), e.OutputAddress);
    }

    [Fact]
    public void Same_bits_as_lpae_pt_t()
    {
        Assert.Equal(0x1CUL, Vmsa64Entry.AttrIndxMask);
        Assert.Equal(0x0000_FFFF_FFFF_F000UL, Vmsa64Entry.OutputAddressMask);
        Assert.Equal(0x0780_0000_0000_0000UL, Vmsa64Entry.SoftwareMask);
        Assert.Equal(0x6000_0000_0000_0000UL, Vmsa64Entry.APTableMask);
        Assert.Equal(0x8000_0000_0000_0000UL, Vmsa64Entry.NSTableMask);
    }

    [Fact]
    public void Level0_has_tables_but_no_blocks()
    {
        var link = XenEntry(0x4000_0000, MairIndex.MT_NORMAL, Shareability.Inner).WithTable(true);
        Assert.Equal(DescriptorKind.Table, Lpae.Classify(link.Raw, 0));
        Assert.Equal(DescriptorKind.Reserved, Lpae.Classify(link.WithTable(false).Raw, 0));
    }
}

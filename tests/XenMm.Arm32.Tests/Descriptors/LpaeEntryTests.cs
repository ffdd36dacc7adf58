using XenMm.Arm32;
using XenMm.PageTables;

namespace XenMm.Arm32.Tests.Descriptors;

/// <summary>xen-mm.md Example 5 (a)-(e) and Example 6, built from fields and decoded back.</summary>
public class LpaeEntryTests
{
    // Xen: arch/arm/include/asm/lpae.h, mfn_to_xen_entry [now]: valid, ns, up, af, ng, xn set; sh by type.
    private static LpaeEntry XenEntry(ulong pa, MairIndex ai, Shareability sh) =>
        default(LpaeEntry)
            .WithValid(true).WithAi(ai).WithNs(true).WithUp(true).WithSh(sh)
            .WithAf(true).WithNg(true).WithBase(new PhysAddr(pa)).WithXn(true);

    [Fact]
    public void Example5a_level2_block_of_PAGE_HYPERVISOR_RW()
    {
        var e = XenEntry(0x8000_0000, MairIndex.MT_NORMAL, Shareability.Inner);
        Assert.Equal(0x0040_0000_8000_0F7DUL, e.Raw);
        AssertXenLeaf(new LpaeEntry(0x0040_0000_8000_0F7D), 0x8000_0000, MairIndex.MT_NORMAL, Shareability.Inner, table: false, contig: false);
        Assert.Equal(DescriptorKind.Block, Lpae.Classify(e.Raw, 2));
    }

    [Fact]
    public void Example5b_the_same_as_a_level3_page()
    {
        var e = XenEntry(0x8000_0000, MairIndex.MT_NORMAL, Shareability.Inner).WithTable(true);
        Assert.Equal(0x0040_0000_8000_0F7FUL, e.Raw);
        AssertXenLeaf(new LpaeEntry(0x0040_0000_8000_0F7F), 0x8000_0000, MairIndex.MT_NORMAL, Shareability.Inner, table: true, contig: false);
        Assert.Equal(DescriptorKind.Page, Lpae.Classify(e.Raw, 3));
    }

    [Fact]
    public void Example5c_arm32_xenheap_first_entry_with_contig()
    {
        var e = XenEntry(0xFC00_0000, MairIndex.MT_NORMAL, Shareability.Inner).WithContig(true);
        Assert.Equal(0x0050_0000_FC00_0F7DUL, e.Raw);
        AssertXenLeaf(new LpaeEntry(0x0050_0000_FC00_0F7D), 0xFC00_0000, MairIndex.MT_NORMAL, Shareability.Inner, table: false, contig: true);
    }

    [Fact]
    public void Example5d_2013_create_32mb_mappings_entry_is_outer_shareable()
    {
        var e = XenEntry(0x8000_0000, MairIndex.MT_NORMAL, Shareability.Outer).WithContig(true);
        Assert.Equal(0x0050_0000_8000_0E7DUL, e.Raw);
        AssertXenLeaf(new LpaeEntry(0x0050_0000_8000_0E7D), 0x8000_0000, MairIndex.MT_NORMAL, Shareability.Outer, table: false, contig: true);
    }

    [Fact]
    public void Example5e_ioremap_nocache_level3_page()
    {
        var e = XenEntry(0x1C09_0000, PageFlags.HypervisorNoCache.AttrIndx(), Shareability.Outer).WithTable(true);
        Assert.Equal(0x0040_0000_1C09_0E73UL, e.Raw);
        AssertXenLeaf(new LpaeEntry(0x0040_0000_1C09_0E73), 0x1C09_0000, MairIndex.MT_DEVICE_nGnRE, Shareability.Outer, table: true, contig: false);
    }

    [Fact]
    public void Example6_map_domain_page_slot_pte_carries_refcount_in_avail()
    {
        var e = XenEntry(0x8F00_0000, MairIndex.MT_NORMAL, Shareability.Inner).WithAvail(1);
        Assert.Equal(0x00C0_0000_8F00_0F7DUL, e.Raw);
        var decoded = new LpaeEntry(0x00C0_0000_8F00_0F7D);
        AssertXenLeaf(decoded, 0x8F00_0000, MairIndex.MT_NORMAL, Shareability.Inner, table: false, contig: false);
        Assert.Equal(1, decoded.Avail);
        Assert.Equal(decoded.Avail + 1, decoded.WithAvail((byte)(decoded.Avail + 1)).Avail);
    }

    [Fact]
    public void Example5_field_contributions_match_the_masks()
    {
        Assert.Equal(0x1UL, LpaeEntry.ValidMask);
        Assert.Equal(0x1CUL, LpaeEntry.AiMask);
        Assert.Equal(0x20UL, LpaeEntry.NsMask);
        Assert.Equal(0x40UL, LpaeEntry.UpMask);
        Assert.Equal(0x300UL, LpaeEntry.ShMask);
        Assert.Equal(0x400UL, LpaeEntry.AfMask);
        Assert.Equal(0x800UL, LpaeEntry.NgMask);
        Assert.Equal(0x0000_FFFF_FFFF_F000UL, LpaeEntry.BaseMask);
        Assert.Equal(0x0010_0000_0000_0000UL, LpaeEntry.ContigMask);
        Assert.Equal(0x0040_0000_0000_0000UL, LpaeEntry.XnMask);
        Assert.Equal(0x0780_0000_0000_0000UL, LpaeEntry.AvailMask);
        Assert.Equal(55, LpaeEntry.AvailShift);
        Assert.Equal(0x000F_0000_0000_0000UL, LpaeEntry.ReservedBitsMask);
    }

    [Fact]
    public void ToString_lists_fields_in_declared_order_then_raw()
    {
        Assert.Equal(
            "Valid=1 Table=0 Ai=MT_NORMAL(7) Ns=1 Up=1 Ro=0 Sh=Inner(3) Af=1 Ng=1 Base=0x80000000 Contig=0 Pxn=0 Xn=1 " +
            "Avail=0 Pxnt=0 Xnt=0 Apt=0 Nst=0 [raw 0x0040000080000F7D]",
            new LpaeEntry(0x0040_0000_8000_0F7D).ToString());
    }

    [Fact]
    public void Table_attributes_are_the_top_bits()
    {
        var e = default(LpaeEntry).WithPxnt(true).WithXnt(true).WithApt(3).WithNst(true);
        Assert.Equal(0xF800_0000_0000_0000UL, e.Raw);
        Assert.Equal(3, e.Apt);
    }

    [Fact]
    public void Reserved_bits_51_48_are_detected()
    {
        Assert.False(new LpaeEntry(0x0040_0000_8000_0F7D).HasReservedBitsSet);
        Assert.True(new LpaeEntry(0x0001_0000_0000_0000).HasReservedBitsSet);
    }

    [Fact]
    public void Base_outside_47_12_is_refused_with_the_field_named()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => default(LpaeEntry).WithBase(new PhysAddr(0x8000_0800)));
        Assert.Contains("Base", ex.Message);
        Assert.Contains("0x80000800", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => default(LpaeEntry).WithBase(new PhysAddr(1UL << 48)));
    }

    [Fact]
    public void Avail_wider_than_four_bits_is_refused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => default(LpaeEntry).WithAvail(16));
        Assert.Contains("Avail", ex.Message);
        Assert.Contains("16", ex.Message);
    }

    [Fact]
    public void Equality_is_by_raw_bits()
    {
        var a = new LpaeEntry(0x0040_0000_8000_0F7D);
        var b = XenEntry(0x8000_0000, MairIndex.MT_NORMAL, Shareability.Inner);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b.WithXn(false));
    }

    [Fact]
    public void Field_table_lists_fields_then_reserved()
    {
        var fields = LpaeEntry.Fields.ToArray();
        Assert.Equal(19, fields.Length);
        Assert.Equal(new PteField("Ai", 4, 2, PteFieldKind.Enum, typeof(MairIndex)), fields[2]);
        Assert.Equal(new PteField("Base", 47, 12, PteFieldKind.Address), fields[9]);
        Assert.Equal(new PteField("Reserved", 51, 48, PteFieldKind.Reserved), fields[^1]);
    }

    private static void AssertXenLeaf(LpaeEntry e, ulong pa, MairIndex ai, Shareability sh, bool table, bool contig)
    {
        Assert.True(e.Valid);
        Assert.Equal(table, e.Table);
        Assert.Equal(ai, e.Ai);
        Assert.True(e.Ns);
        Assert.True(e.Up);
        Assert.False(e.Ro);
        Assert.Equal(sh, e.Sh);
        Assert.True(e.Af);
        Assert.True(e.Ng);
        Assert.Equal(new PhysAddr(pa), e.Base);
        Assert.Equal(contig, e.Contig);
        Assert.False(e.Pxn);
        Assert.True(e.Xn);
        Assert.False(e.HasReservedBitsSet);
    }
}

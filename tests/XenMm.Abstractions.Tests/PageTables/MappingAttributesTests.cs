using XenMm.PageTables;

namespace XenMm.Abstractions.Tests.PageTables;

/// <summary>xen-mm.md 5.5 (MAIR) and 5.6 (the mapping-flag word).</summary>
public class MappingAttributesTests
{
    [Theory]
    [InlineData(MairIndex.MT_DEVICE_nGnRnE, 0x00)]
    [InlineData(MairIndex.MT_NORMAL_NC, 0x44)]
    [InlineData(MairIndex.MT_NORMAL_WT, 0xAA)]
    [InlineData(MairIndex.MT_NORMAL_WB, 0xEE)]
    [InlineData(MairIndex.MT_DEVICE_nGnRE, 0x04)]
    [InlineData(MairIndex.MT_NORMAL, 0xFF)]
    public void Each_index_has_its_MAIR_byte(MairIndex index, byte attribute)
    {
        Assert.Equal(attribute, Mair.AttributeOf(index));
    }

    [Fact]
    public void MAIRVAL_is_MAIR1VAL_then_MAIR0VAL()
    {
        Assert.Equal(0xFF000004_EEAA4400UL, Mair.Value);
        Assert.Equal(0xEEAA4400U, Mair.Mair0Value);
        Assert.Equal(0xFF000004U, Mair.Mair1Value);
    }

    [Theory]
    [InlineData(PageFlags.Normal, 0x27)]
    [InlineData(PageFlags.HypervisorRw, 0x2F)]
    [InlineData(PageFlags.HypervisorRo, 0x3F)]
    [InlineData(PageFlags.HypervisorRx, 0x37)]
    [InlineData(PageFlags.HypervisorNoCache, 0x2C)]
    [InlineData(PageFlags.HypervisorWc, 0x29)]
    [InlineData(PageFlags.Xn, 1 << 3)]
    [InlineData(PageFlags.Ro, 1 << 4)]
    [InlineData(PageFlags.Present, 1 << 5)]
    [InlineData(PageFlags.Populate, 1 << 6)]
    [InlineData(PageFlags.Block, 1 << 7)]
    [InlineData(PageFlags.Contig, 1 << 8)]
    public void Flag_values_are_Xens(PageFlags flags, uint value)
    {
        Assert.Equal(value, (uint)flags);
    }

    [Fact]
    public void AttrIndx_is_read_and_replaced_in_bits_2_0()
    {
        Assert.Equal(PageFlags.HypervisorRw, PageFlags.Hypervisor);
        Assert.Equal(MairIndex.MT_DEVICE_nGnRE, PageFlags.HypervisorNoCache.AttrIndx());
        Assert.Equal(MairIndex.MT_NORMAL_NC, PageFlags.HypervisorWc.AttrIndx());
        Assert.Equal(PageFlags.HypervisorWc, PageFlags.HypervisorRw.WithAttrIndx(MairIndex.MT_NORMAL_NC));
    }

    [Fact]
    public void PteField_extracts_values_shifted_and_addresses_in_place()
    {
        const ulong raw = 0x0040_0000_8000_0F7D;
        Assert.Equal(7UL, new PteField("Ai", 4, 2, PteFieldKind.Enum, typeof(MairIndex)).Extract(raw));
        Assert.Equal(0x8000_0000UL, new PteField("Base", 47, 12, PteFieldKind.Address).Extract(raw));
        Assert.Equal("47:12", new PteField("Base", 47, 12, PteFieldKind.Address).Bits);
        Assert.Equal("0", new PteField("Valid", 0, 0, PteFieldKind.Flag).Bits);
        Assert.Equal(ulong.MaxValue, new PteField("All", 63, 0, PteFieldKind.Value).Mask);
    }
}

using XenMm.Arm64;
using XenMm.PageTables;

namespace XenMm.Arm64.Tests.Descriptors;

public class Vmsa64S2EntryTests
{
    [Fact]
    public void A_stage2_page_round_trips_field_by_field()
    {
        var e = default(Vmsa64S2Entry)
            .WithValid(true).WithTable(true).WithMemAttr(0xF).WithS2APRead(true).WithS2APWrite(true)
            .WithSH(Shareability.Inner).WithAF(true).WithOutputAddress(new PhysAddr(0x8_0000_0000)).WithXN(true).WithSoftware(3);
        Assert.Equal(0x01C0_0008_0000_07FFUL, e.Raw);
        var d = new Vmsa64S2Entry(e.Raw);
        Assert.Equal(0xF, d.MemAttr);
        Assert.True(d.S2APRead && d.S2APWrite && d.AF && d.XN);
        Assert.Equal(new PhysAddr(0x8_0000_0000), d.OutputAddress);
        Assert.Equal(3, d.Software);
        Assert.False(d.HasReservedBitsSet);
    }

    [Fact]
    public void Reserved_ranges_follow_lpae_p2m_t()
    {
        Assert.Equal(0xF82F_0000_0000_0800UL, Vmsa64S2Entry.ReservedBitsMask);
    }
}

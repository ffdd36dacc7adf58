using XenMm.Arm32;
using XenMm.PageTables;

namespace XenMm.Arm32.Tests.Descriptors;

public class LpaeP2mEntryTests
{
    [Fact]
    public void P2M_PERM_MASK_is_xn_write_and_read()
    {
        Assert.Equal(LpaeP2mEntry.PermissionMask, LpaeP2mEntry.XnMask | LpaeP2mEntry.WriteMask | LpaeP2mEntry.ReadMask);
    }

    [Fact]
    public void A_ram_page_round_trips_field_by_field()
    {
        var e = default(LpaeP2mEntry)
            .WithValid(true).WithTable(true).WithMattr(LpaeP2mEntry.MattrMemory).WithRead(true).WithWrite(true)
            .WithSh(Shareability.Inner).WithAf(true).WithBase(new PhysAddr(0x4000_1000)).WithType(1);
        Assert.Equal(0x0080_0000_4000_17FFUL, e.Raw);
        var d = new LpaeP2mEntry(e.Raw);
        Assert.True(d.Valid && d.Table && d.Read && d.Write && d.Af);
        Assert.Equal(0xF, d.Mattr);
        Assert.Equal(Shareability.Inner, d.Sh);
        Assert.Equal(new PhysAddr(0x4000_1000), d.Base);
        Assert.Equal(1, d.Type);
        Assert.False(d.Xn || d.Contig);
        Assert.False(d.HasReservedBitsSet);
    }

    [Theory]
    [InlineData(1UL << 11)]
    [InlineData(1UL << 48)]
    [InlineData(1UL << 53)]
    [InlineData(1UL << 59)]
    [InlineData(1UL << 63)]
    public void Should_be_zero_bits_are_reserved(ulong bit)
    {
        Assert.True(new LpaeP2mEntry(bit).HasReservedBitsSet);
    }

    [Fact]
    public void An_invalid_entry_keeps_its_type()
    {
        var e = default(LpaeP2mEntry).WithType(5);
        Assert.False(e.Valid);
        Assert.Equal(DescriptorKind.Invalid, Lpae.Classify(e.Raw, 3));
        Assert.Equal(5, e.Type);
    }
}

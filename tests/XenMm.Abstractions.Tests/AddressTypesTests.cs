namespace XenMm.Abstractions.Tests;

public class AddressTypesTests
{
    [Theory]
    [InlineData("0x8000_0000", 0x8000_0000UL)]
    [InlineData("0x80000000", 0x8000_0000UL)]
    [InlineData("80000000", 0x8000_0000UL)]
    [InlineData("0X0040_0000_8000_0F7D", 0x0040_0000_8000_0F7DUL)]
    [InlineData("  0xffffffffffffffff ", ulong.MaxValue)]
    public void PhysAddr_parses_hex_with_and_without_separators(string text, ulong expected)
    {
        Assert.Equal(new PhysAddr(expected), PhysAddr.Parse(text));
        Assert.True(VirtAddr.TryParse(text, null, out var va));
        Assert.Equal(expected, va.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("0x_1")]
    [InlineData("0x1_")]
    [InlineData("0xG")]
    [InlineData("0x1_0000_0000_0000_0000")]
    [InlineData("-1")]
    public void Parse_rejects_malformed_or_too_wide_text(string text)
    {
        Assert.False(Mfn.TryParse(text, null, out _));
        var ex = Assert.Throws<FormatException>(() => PhysAddr.Parse(text));
        Assert.Contains(text, ex.Message);
    }

    [Fact]
    public void Formatting_is_uppercase_hex_with_prefix()
    {
        Assert.Equal("0x80000", new Mfn(0x80000).ToString());
        Assert.Equal("0x8F123000", new PhysAddr(0x8F12_3000).ToString());
        Assert.Equal("0xA0040000000", new VirtAddr(0x0000_0A00_4000_0000).ToString());
        Assert.Equal("0x0", new Pdx(0).ToString());
        Assert.Equal("MFN 0x17FFFF", $"MFN {new Mfn(0x17FFFF)}");
    }

    [Fact]
    public void Page_shift_conversions_round_trip()
    {
        var pa = new PhysAddr(0xA012_3456);
        Assert.Equal(new Mfn(0xA0123), pa.Mfn);
        Assert.Equal(0x456UL, pa.PageOffset);
        Assert.False(pa.IsPageAligned);
        Assert.Equal(new PhysAddr(0xA012_3000), pa.Mfn.ToPhysAddr());
        Assert.Equal(0x0000_0A00_4000_9UL, new VirtAddr(0x0000_0A00_4000_9000).PageNumber);
        Assert.Equal(new PhysAddr(0xFFFF_FFFF_FFFF_F000), new Mfn((1UL << 52) - 1).ToPhysAddr());
        var ex = Assert.Throws<OverflowException>(() => new Mfn(1UL << 52).ToPhysAddr());
        Assert.Contains(new Mfn(1UL << 52).ToString(), ex.Message);
    }

    [Fact]
    public void Arithmetic_is_checked()
    {
        Assert.Equal(new Mfn(0x80008), new Mfn(0x80000) + 8);
        Assert.Equal(8UL, new Mfn(0x80008) - new Mfn(0x80000));
        Assert.Throws<OverflowException>(() => new Mfn(0) - 1UL);
        Assert.Throws<OverflowException>(() => new PhysAddr(ulong.MaxValue) + 1);
        Assert.Throws<OverflowException>(() => new VirtAddr(1) - new VirtAddr(2));
        Assert.Throws<OverflowException>(() => new Pdx(ulong.MaxValue) + 1);
    }

    [Fact]
    public void Alignment_queries()
    {
        Assert.True(new Mfn(0x80000).IsAligned(new PageOrder(18)));
        Assert.False(new Mfn(0x80001).IsAligned(new PageOrder(1)));
        Assert.Equal(new Mfn(0x80000), new Mfn(0x801FF).AlignDown(new PageOrder(9)));
        Assert.Equal(new PhysAddr(0x8020_0000), new PhysAddr(0x8000_0001).AlignUp(0x20_0000));
        Assert.Equal(new PhysAddr(0x8000_0000), new PhysAddr(0x801F_FFFF).AlignDown(0x20_0000));
        Assert.True(new VirtAddr(0x4000_0000).IsAligned(1UL << 30));
        Assert.Throws<OverflowException>(() => new PhysAddr(ulong.MaxValue).AlignUp(0x1000));
        var ex = Assert.Throws<XenMmException>(() => new PhysAddr(0).AlignUp(0x3000));
        Assert.Equal(MmError.InvalidArgument, ex.Error);
        Assert.Contains("0x3000", ex.Message);
    }

    [Fact]
    public void PageOrder_sizes_and_bounds()
    {
        Assert.Equal(1UL << 18, new PageOrder(18).Pages);
        Assert.Equal(1UL << 30, new PageOrder(18).Bytes);
        Assert.Equal(0, PageOrder.FromPages(1).Value);
        Assert.Equal(2, PageOrder.FromPages(3).Value);
        Assert.Equal(9, PageOrder.FromBytes(2 * 1024 * 1024).Value);
        Assert.Equal(1, PageOrder.FromBytes(4097).Value);
        var ex = Assert.Throws<XenMmException>(() => new PageOrder(53));
        Assert.Equal(MmError.InvalidOrder, ex.Error);
        Assert.Contains("53", ex.Message);
        Assert.Throws<XenMmException>(() => (PageOrder)(-1));
        Assert.True(new PageOrder(3) < new PageOrder(4));
    }

    [Fact]
    public void Invalid_mfn_is_all_ones() => Assert.Equal(ulong.MaxValue, Mfn.Invalid.Value);

    [Fact]
    public void Exception_carries_code_and_message()
    {
        var ex = new XenMmException(MmError.DoubleFree, "MFN 0x80000 is already free.");
        Assert.Equal(MmError.DoubleFree, ex.Error);
        Assert.Equal("XenMmException (DoubleFree): MFN 0x80000 is already free.", ex.ToString());
    }
}

using XenMm.Arm64.Layout;

namespace XenMm.Arm64.Tests.Layout;

/// <summary>The arm64 layouts against asm/mmu/layout.h (current) and asm-arm/config.h (4.4).</summary>
public class Arm64LayoutTests
{
    [Theory]
    [InlineData("XEN_VIRT_START", 0x0000_0A00_0020_0000UL, 8UL << 20)]
    [InlineData("FIXMAP_ADDR(0)", 0x0000_0A00_00A0_0000UL, 2UL << 20)]
    [InlineData("VMAP_VIRT_START", 0x0000_0A00_4000_0000UL, 1UL << 30)]
    [InlineData("FRAMETABLE_VIRT_START", 0x0000_0A08_0000_0000UL, 32UL << 30)]
    [InlineData("DIRECTMAP_VIRT_START", 0x0000_8000_0000_0000UL, 5UL << 40)]
    public void Current(string name, ulong start, ulong size)
    {
        var r = Arm64Layout.Current[name];
        Assert.Equal((new VirtAddr(start), size), (r.Start, r.Size));
    }

    [Theory]
    [InlineData("XEN_VIRT_START", 0x20_0000UL, 2UL << 20)]
    [InlineData("VMAP_VIRT_START", 0x4000_0000UL, 1UL << 30)]
    [InlineData("FRAMETABLE_VIRT_START", 0x8_0000_0000UL, 32UL << 30)]
    [InlineData("DIRECTMAP_VIRT_START", 0x0000_8000_0000_0000UL, 9UL << 39)] // 4.4's off-by-one: 4.5 TiB
    public void Xen44(string name, ulong start, ulong size)
    {
        var r = Arm64Layout.For(XenProfile.Xen2013)[name];
        Assert.Equal((new VirtAddr(start), size), (r.Start, r.Size));
    }

    [Fact]
    public void The_direct_map_ends_at_slot_266_and_nothing_else_is_there()
    {
        Assert.Equal(0x0000_84FF_FFFF_FFFFUL, Arm64Layout.Current["DIRECTMAP_VIRT_START"].Last.Value);
        Assert.Null(Arm64Layout.Current.RegionOf(new VirtAddr(0x0000_8500_0000_0000)));
        Assert.Equal("IDENTITY_MAPPING_AREA", Arm64Layout.Current.RegionOf(new VirtAddr(0x4020_0000))!.Name);
        Assert.Throws<XenMmException>(() => Arm64Layout.For((XenProfile)7));
    }
}

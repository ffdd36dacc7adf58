using XenMm.Layout;

namespace XenMm.Tests.Machine;

public sealed class AddressSpaceLayoutTests
{
    private static LayoutRegion R(string name, ulong start, ulong size) => new(name, new VirtAddr(start), size, name);

    [Fact]
    public void Regions_are_sorted_and_found_by_name_and_address()
    {
        var layout = new AddressSpaceLayout("t", 32, [R("VMAP_VIRT_START", 0x1000_0000, 0x3000_0000), R("XEN_VIRT_START", 0x20_0000, 0x80_0000)]);
        Assert.Equal(["XEN_VIRT_START", "VMAP_VIRT_START"], layout.Regions.Select(r => r.Name));
        Assert.Equal("VMAP_VIRT_START", layout.RegionOf(new VirtAddr(0x3FFF_FFFF))!.Name);
        Assert.Equal("XEN_VIRT_START", layout.RegionOf(new VirtAddr(0x20_0000))!.Name);
        Assert.Null(layout.RegionOf(new VirtAddr(0x4000_0000)));
        Assert.Null(layout.RegionOf(new VirtAddr(0x1F_FFFF)));
        Assert.Equal(0x1000_0000UL, layout["VMAP_VIRT_START"].Start.Value);
        Assert.Null(layout.Find("NOPE"));
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => layout["NOPE"]).Error);
    }

    [Fact]
    public void A_region_may_end_at_the_top_of_the_space()
    {
        var layout = new AddressSpaceLayout("t", 32, [R("DOMHEAP_VIRT_START", 0x8000_0000, 0x8000_0000)]);
        Assert.Equal("DOMHEAP_VIRT_START", layout.RegionOf(new VirtAddr(0xFFFF_FFFF))!.Name);
    }

    public static TheoryData<string, MmError, string> Bad => new()
    {
        { "overlap", MmError.Overlap, "region B at 0x1000 overlaps A" },
        { "misaligned", MmError.Misaligned, "region A at 0x10 of size 0x1000 is not page-aligned" },
        { "beyond", MmError.InvalidAddress, "goes beyond the 32-bit VA space" },
        { "empty", MmError.InvalidArgument, "region A at 0x0 is empty" },
        { "duplicate", MmError.InvalidArgument, "region name A appears twice" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_layouts_are_refused(string name, MmError error, string message)
    {
        LayoutRegion[] regions = name switch
        {
            "overlap" => [R("A", 0, 0x2000), R("B", 0x1000, 0x1000)],
            "misaligned" => [R("A", 0x10, 0x1000)],
            "beyond" => [R("A", 0xFFFF_F000, 0x2000)],
            "empty" => [R("A", 0, 0)],
            _ => [R("A", 0, 0x1000), R("A", 0x1000, 0x1000)],
        };
        var ex = Assert.Throws<XenMmException>(() => new AddressSpaceLayout("t", 32, regions));
        Assert.Equal(error, ex.Error);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}

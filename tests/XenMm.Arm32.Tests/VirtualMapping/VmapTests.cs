using XenMm.Arm32.PageTables;
using XenMm.PageTables;
using XenMm.Tests.Shared;
using XenMm.VirtualMapping;

namespace XenMm.Arm32.Tests.VirtualMapping;

/// <summary>vmap on arm32 (region 0x1000_0000 + 768 MiB): reference Example 6 and Example 5 (e) from the engine.</summary>
public class VmapTests
{
    private const ulong Start = 0x1000_0000;
    private const ulong End = 0x4000_0000;

    private readonly TestHost _host = new();
    private readonly XenMappings<LpaeFormat> _xen;
    private readonly XenMm.VirtualMapping.Vmap _vmap;

    public VmapTests()
    {
        _xen = XenMappings<LpaeFormat>.Create(_host.Memory, _host.Frames);
        _vmap = new XenMm.VirtualMapping.Vmap(_xen, _host.Memory, _host.Frames);
        _vmap.Init(VmapRegion.Default, new VirtAddr(Start), new VirtAddr(End));
    }

    [Fact]
    public void Example6_vm_init_sizes_the_bitmap()
    {
        Assert.Equal(new VmapRegionState(new VirtAddr(Start), 196_608, 6, 32_768), _vmap.GetState(VmapRegion.Default));

        // The bitmap's first page is mapped and holds bits 0-5; the other 5 bitmap pages have tables, no leaf.
        var bitmap = _xen.Translate(new VirtAddr(Start));
        Assert.False(bitmap.IsFault);
        Assert.Equal(0x3F, _host.Memory.ReadByte(bitmap.PhysAddr));
        Assert.Equal((FaultKind.Translation, 3), (_xen.Translate(new VirtAddr(Start + 0x1000)).Fault, _xen.Translate(new VirtAddr(Start + 0x1000)).Level));
    }

    [Fact]
    public void Example6_first_vmaps_and_vunmap()
    {
        Assert.True(_vmap.TryMap([new Mfn(0x80000)], out var one));
        Assert.Equal(new VirtAddr(0x1000_7000), one);
        Assert.Equal(8u, _vmap.GetState(VmapRegion.Default).Low);
        Assert.True(_vmap.TryMap([new Mfn(0x80001), new Mfn(0x80005)], out var two));
        Assert.Equal(new VirtAddr(0x1000_9000), two);
        Assert.Equal(11u, _vmap.GetState(VmapRegion.Default).Low);
        Assert.Equal(new PhysAddr(0x8000_5010), _xen.Translate(two + 0x1010).PhysAddr);
        Assert.Equal(2u, _vmap.Size(two, VmapRegion.Default));

        _vmap.Unmap(one);
        Assert.Equal(6u, _vmap.GetState(VmapRegion.Default).Low);
        Assert.Equal(0u, _vmap.Size(one, VmapRegion.Default));
        Assert.True(_xen.Translate(one).IsFault);
        Assert.Equal(0b0011_1111, _host.Memory.ReadByte(_xen.Translate(new VirtAddr(Start)).PhysAddr));
    }

    [Fact]
    public void Example5e_ioremap_nocache_page_descriptor()
    {
        Assert.True(_vmap.TryIoRemapNoCache(new PhysAddr(0x1C09_0123), 0x100, out var va));
        Assert.Equal(new VirtAddr(0x1000_7123), va);
        Assert.Equal(0x0040_0000_1C09_0E73UL, _xen.Tables.Walk(va)[2].Raw);
        Assert.True(_vmap.TryIoRemapWc(new PhysAddr(0x1C0A_0000), 0x2001, out var wc));
        Assert.Equal(new VirtAddr(0x1000_9000), wc);
        Assert.Equal(3u, _vmap.Size(wc, VmapRegion.Default));
        Assert.Equal(MairIndex.MT_NORMAL_NC, _xen.Translate(wc).Attributes.AttrIndx);
        Assert.True(_vmap.TryIoRemapCache(new PhysAddr(0x9000_0000), 0x1000, out var cached));
        Assert.Equal(MairIndex.MT_NORMAL, _xen.Translate(cached).Attributes.AttrIndx);
    }
}

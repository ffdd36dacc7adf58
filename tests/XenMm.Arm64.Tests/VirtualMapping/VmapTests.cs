using XenMm.Arm64.PageTables;
using XenMm.PageTables;
using XenMm.Tests.Shared;
using XenMm.VirtualMapping;

namespace XenMm.Arm64.Tests.VirtualMapping;

/// <summary>vmap on arm64 (VMAP_DEFAULT at 0x0000_0A00_4000_0000 + 1 GiB): Example 6, growth, the 2013 failure, vmalloc.</summary>
public class VmapTests
{
    private const ulong Start = 0x0000_0A00_4000_0000;

    private static (TestHost Host, XenMappings<Vmsa64Format> Xen, XenMm.VirtualMapping.Vmap Vmap) Boot(XenProfile profile = XenProfile.Current)
    {
        var host = new TestHost();
        var xen = XenMappings<Vmsa64Format>.Create(host.Memory, host.Frames, profile);
        var vmap = new XenMm.VirtualMapping.Vmap(xen, host.Memory, host.Frames);
        vmap.Init(VmapRegion.Default, new VirtAddr(Start), new VirtAddr(Start + (1UL << 30)));
        return (host, xen, vmap);
    }

    [Fact]
    public void Example6_arm64_first_vmap()
    {
        var (_, _, vmap) = Boot();
        Assert.Equal(new VmapRegionState(new VirtAddr(Start), 262_144, 8, 32_768), vmap.GetState(VmapRegion.Default));
        Assert.True(vmap.TryMap([new Mfn(0x80000)], out var va));
        Assert.Equal(new VirtAddr(0x0000_0A00_4000_9000), va);
    }

    [Fact]
    public void Bitmap_grows_by_one_page_when_the_first_32768_bits_are_used()
    {
        var (_, xen, vmap) = Boot();
        Assert.True(vmap.TryAlloc(30_000, 1, VmapRegion.Default, out var first));
        Assert.Equal(new VirtAddr(Start + (9 * 4096)), first);
        Assert.True(vmap.TryAlloc(5_000, 1, VmapRegion.Default, out var second));
        Assert.Equal(65_536u, vmap.GetState(VmapRegion.Default).Top);
        Assert.Equal(new VirtAddr(Start + ((9 + 30_000 + 1) * 4096UL)), second);
        Assert.False(xen.Translate(new VirtAddr(Start + 4096)).IsFault);
    }

    [Fact]
    public void Xen2013_growth_fails_on_the_real_leaves_vm_init_left()
    {
        // Xen 4.3/4.4 on ARM: vm_init mapped MFN 0, 1, 2... over the bitmap area, so map_pages_to_xen refuses the
        // second bitmap page and vmap cannot pass its first 128 MiB (fixed by populate_pt_range, c2453291b1).
        var (host, xen, vmap) = Boot(XenProfile.Xen2013);
        Assert.Equal(new PhysAddr(0x0000), xen.Translate(new VirtAddr(Start + 4096)).PhysAddr);
        Assert.Equal(new PhysAddr(0x6000), xen.Translate(new VirtAddr(Start + (7 * 4096))).PhysAddr);
        Assert.Equal(Shareability.Outer, xen.Translate(new VirtAddr(Start)).Attributes.Shareability);
        Assert.True(vmap.TryAlloc(30_000, 1, VmapRegion.Default, out _));
        var used = host.Frames.Used;
        Assert.False(vmap.TryAlloc(5_000, 1, VmapRegion.Default, out _));
        Assert.Equal(32_768u, vmap.GetState(VmapRegion.Default).Top);
        Assert.Equal(used, host.Frames.Used);
    }

    [Fact]
    public void Alignment_rounds_up_from_the_guard_bit()
    {
        var (_, _, vmap) = Boot();
        Assert.True(vmap.TryAlloc(1, 16, VmapRegion.Default, out var aligned));
        Assert.Equal(new VirtAddr(Start + (16 * 4096)), aligned);

        // vm_low stayed at 8 (16 > 8 + 2); a non-power-of-two alignment uses its lowest set bit (12 -> 4),
        // so the hole below the first allocation is used: 8 + 4 rounds to 12, and 12 + 1 < 16.
        Assert.Equal(8u, vmap.GetState(VmapRegion.Default).Low);
        Assert.True(vmap.TryAlloc(1, 12, VmapRegion.Default, out var next));
        Assert.Equal(new VirtAddr(Start + (12 * 4096)), next);
    }

    [Fact]
    public void Vmalloc_vzalloc_and_vfree_give_every_page_back()
    {
        var (host, xen, vmap) = Boot();
        var used = host.Frames.Used;
        Assert.True(vmap.TryMalloc(3 * 4096, out var va));
        Assert.Equal(MairIndex.MT_NORMAL, xen.Translate(va + 0x2000).Attributes.AttrIndx);
        host.Memory.WriteU64(xen.Translate(va).PhysAddr, 0xDEAD);
        vmap.VFree(va);
        Assert.True(vmap.TryZalloc(4096, out var zeroed));
        Assert.Equal(0UL, host.Memory.ReadU64(xen.Translate(zeroed).PhysAddr));
        vmap.VFree(zeroed);

        // The level-3 table created for the first mappings stays, as Xen keeps empty tables.
        Assert.Equal(used, host.Frames.Used);
        Assert.Equal(MmError.NotAllocated, Assert.Throws<XenMmException>(() => vmap.Free(va)).Error);
    }

    [Fact]
    public void Failed_map_inside_vmap_unmaps_and_frees_the_va()
    {
        var (_, _, vmap) = Boot();

        // W+X flags: map_pages_to_xen fails, __vmap calls vunmap and returns NULL.
        Assert.False(vmap.TryMap([new Mfn(0x80000)], 1, 1, PageFlags.Normal, VmapRegion.Default, out _));
        Assert.Equal(8u, vmap.GetState(VmapRegion.Default).Low);
        Assert.True(vmap.TryMap([new Mfn(0x80000)], out var va));
        Assert.Equal(new VirtAddr(0x0000_0A00_4000_9000), va);
    }

    [Fact]
    public void Vmap_xen_region_keeps_xens_unclamped_vm_top()
    {
        // VMAP_XEN is 2 MiB (512 pages) but vm_init_type sets vm_top to a whole bitmap page, 32768 bits.
        var (_, _, vmap) = Boot();
        vmap.Init(VmapRegion.Xen, new VirtAddr(Start + (1UL << 30)), new VirtAddr(Start + (1UL << 30) + (2UL << 20)));
        Assert.Equal(new VmapRegionState(new VirtAddr(Start + (1UL << 30)), 512, 1, 32_768), vmap.GetState(VmapRegion.Xen));
        Assert.True(vmap.TryMalloc(4096, out var va, VmapRegion.Xen));
        Assert.Equal(new VirtAddr(Start + (1UL << 30) + (2 * 4096)), va);
        vmap.VFree(va);
    }
}

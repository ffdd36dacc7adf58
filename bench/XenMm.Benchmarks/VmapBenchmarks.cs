using BenchmarkDotNet.Attributes;
using XenMm.Arm64.PageTables;
using XenMm.Memory;
using XenMm.PageTables;
using XenMm.VirtualMapping;

namespace XenMm.Benchmarks;

/// <summary>vmap then vunmap of one page on arm64 (bitmap search, map_pages_to_xen, destroy_xen_mappings, vm_free).</summary>
[MemoryDiagnoser]
public class VmapBenchmarks
{
    private readonly Mfn[] _page = [new Mfn(0x80000)];
    private Vmap _vmap = null!;

    /// <summary>Boots VMAP_DEFAULT at 0x0000_0A00_4000_0000 + 1 GiB.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var memory = new PhysicalMemory([new RamBank(new PhysAddr(0x4000_0000), 4UL << 20)], 48);
        var frames = new BumpFrameAllocator(new PhysAddr(0x4000_0000).Mfn, 1024);
        var xen = XenMappings<Vmsa64Format>.Create(memory, frames);
        _vmap = new Vmap(xen, memory, frames);
        _vmap.Init(VmapRegion.Default, new VirtAddr(0x0000_0A00_4000_0000), new VirtAddr(0x0000_0A00_8000_0000));
    }

    /// <summary>One vmap of one page and its vunmap.</summary>
    [Benchmark]
    public VirtAddr VmapVunmap()
    {
        _vmap.TryMap(_page, out var va);
        _vmap.Unmap(va);
        return va;
    }
}

using BenchmarkDotNet.Attributes;
using XenMm.Arm64.PageTables;
using XenMm.Memory;
using XenMm.PageTables;

namespace XenMm.Benchmarks;

/// <summary>Map (2 MiB of 4 KiB pages into fresh tables) and translate (one 4-level walk) on arm64 tables.</summary>
[MemoryDiagnoser]
public class PageTableBenchmarks
{
    private const ulong Va = 0x0000_0040_0000_0000;
    private readonly PhysicalMemory _memory = new([new RamBank(new PhysAddr(0x4000_0000), 4UL << 20)], 48);
    private readonly BumpFrameAllocator _frames = new(new PhysAddr(0x4000_0000).Mfn, 1024);
    private readonly LeafAttributes _attributes = LeafAttributes.FromXenFlags(PageFlags.HypervisorRw);
    private PageTables<Vmsa64Format> _tables = null!;
    private ulong _next;

    /// <summary>Builds tables mapping 1 GiB of pages for the translation benchmark.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _tables = PageTables<Vmsa64Format>.Create(_memory, _frames);
        _tables.MapRange(new VirtAddr(Va), new PhysAddr(0x8000_0000), 1UL << 30, _attributes, allowBlocks: false);
    }

    /// <summary>One software walk of a pseudo-random mapped VA.</summary>
    [Benchmark]
    public ulong Translate()
    {
        _next = (_next + 0x9E37_79B9) & 0x3FFFF;
        return _tables.Translate(new VirtAddr(Va + (_next << 12))).PhysAddr.Value;
    }

    /// <summary>512 pages (one level-3 table) mapped into a fresh tree: 4 tables taken and zeroed.</summary>
    [Benchmark(OperationsPerInvoke = 512)]
    public PhysAddr Map2MiB()
    {
        var frames = new BumpFrameAllocator(new PhysAddr(0x4030_0000).Mfn, 16);
        var tables = PageTables<Vmsa64Format>.Create(_memory, frames);
        tables.MapRange(new VirtAddr(Va), new PhysAddr(0x8000_0000), 2UL << 20, _attributes, allowBlocks: false);
        return tables.Root;
    }
}

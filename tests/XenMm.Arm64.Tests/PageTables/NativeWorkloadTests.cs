using XenMm.Arm64.PageTables;
using XenMm.Memory;
using XenMm.PageTables;

namespace XenMm.Arm64.Tests.PageTables;

/// <summary>
/// The W3, W4 and W5 workloads of shared/bench/native/pt_bench.c through the engine: the table bytes and the
/// translated PAs must hash exactly as the native model's.
/// </summary>
public class NativeWorkloadTests
{
    private const ulong SimPaBase = 0x4000_0000;
    private const ulong VaBase = 0x0000_0040_0000_0000;
    private const ulong PaBase = 0x8000_0000;
    private const ulong Pages = 262_144;

    // pt_bench's leaves: AttrIndx 3, inner shareable, AF; no nG, NS, XN (page = PA | 0x70F, block = PA | 0x70D).
    private static readonly LeafAttributes NativeAttributes = new(MairIndex.MT_NORMAL_WB, Shareability.Inner);

    [Fact]
    public void W3_map4k_builds_515_tables_with_the_native_hash()
    {
        var (memory, frames, tables) = Map(allowBlocks: false);
        Assert.Equal(515UL, frames.Used);
        Assert.Equal(0x155823a8f9085c75UL, TablesHash(memory, frames));
        Assert.Equal(0x0000_0000_8000_070FUL, memory.ReadU64(tables.Walk(new VirtAddr(VaBase))[3].DescriptorAddress));
        Assert.True(tables.Audit().IsClean);
    }

    [Fact]
    public void W4_mapblock_builds_2_tables_with_the_native_hash()
    {
        var (memory, frames, tables) = Map(allowBlocks: true);
        Assert.Equal(2UL, frames.Used);
        Assert.Equal(0xc87cc685c53934a2UL, TablesHash(memory, frames));
        var walk = tables.Walk(new VirtAddr(VaBase));
        Assert.Equal(2, walk.Length);
        Assert.Equal(0x0000_0000_8000_070DUL, walk[1].Raw);
        Assert.Equal(DescriptorKind.Block, walk[1].Kind);
    }

    [Fact]
    public void W5_arithmetic_hash_for_seed_7_is_the_native_value()
    {
        Assert.Equal(0x48b995ad4ce4a0d6UL, Hash(7, 10_000_000, va => va - VaBase + PaBase));
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(7, true)]
    [InlineData(12345, false)]
    public void W5_translations_hash_as_the_arithmetic_pas(ulong seed, bool blocks)
    {
        var (_, _, tables) = Map(blocks);
        const ulong count = 200_000;
        var walked = Hash(seed, count, va => tables.Translate(new VirtAddr(va)) is { IsFault: false } t ? t.PhysAddr.Value : ulong.MaxValue);
        Assert.Equal(Hash(seed, count, va => va - VaBase + PaBase), walked);
    }

    private static (PhysicalMemory Memory, BumpFrameAllocator Frames, PageTables<Vmsa64Format> Tables) Map(bool allowBlocks)
    {
        var memory = new PhysicalMemory([new RamBank(new PhysAddr(SimPaBase), 4UL << 20)], 48);
        var frames = new BumpFrameAllocator(new PhysAddr(SimPaBase).Mfn, 1024);
        var tables = PageTables<Vmsa64Format>.Create(memory, frames);
        tables.MapRange(new VirtAddr(VaBase), new PhysAddr(PaBase), 1UL << 30, NativeAttributes, allowBlocks);
        return (memory, frames, tables);
    }

    private static ulong TablesHash(PhysicalMemory memory, BumpFrameAllocator frames)
    {
        var hash = 0xcbf29ce484222325UL;
        for (var pa = SimPaBase; pa < SimPaBase + (frames.Used * Addressing.PageSize); pa += 8)
        {
            hash = Fnv(hash, memory.ReadU64(new PhysAddr(pa)));
        }

        return hash;
    }

    private static ulong Hash(ulong seed, ulong count, Func<ulong, ulong> pa)
    {
        var state = seed;
        var hash = 0xcbf29ce484222325UL;
        for (var n = 0UL; n < count; n++)
        {
            var a = Next(ref state);
            var b = Next(ref state);
            hash = Fnv(hash, pa(VaBase + ((a >> 12) % Pages * 4096) + (b & 0xfff)));
        }

        return hash;
    }

    private static ulong Next(ref ulong state)
    {
        var x = state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state = x;
        return x * 0x2545F4914F6CDD1D;
    }

    private static ulong Fnv(ulong hash, ulong value)
    {
        for (var b = 0; b < 8; b++)
        {
            hash = (hash ^ ((value >> (8 * b)) & 0xff)) * 0x100000001b3;
        }

        return hash;
    }
}

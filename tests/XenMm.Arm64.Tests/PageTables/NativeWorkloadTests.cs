using XenMm.Bench;
using XenMm.Tests.Shared;
using XenMm.PageTables;

namespace XenMm.Arm64.Tests.PageTables;

/// <summary>
/// The W3, W4 and W5 workloads of shared/bench/native/pt_bench.c, run by the bench's own code through the engine:
/// the table bytes and the translated PAs must hash exactly as the native model's.
/// </summary>
public class NativeWorkloadTests
{
    private const ulong VaBase = 0x0000_0040_0000_0000;

    [Fact]
    public void W3_map4k_builds_515_tables_with_the_native_hash()
    {
        var bench = new PtWorkloads.Setup();
        bench.MapOnce(allowBlocks: false);
        Assert.Equal(515UL, bench.Allocator.Used);
        Assert.Equal(0x155823a8f9085c75UL, bench.TablesHash());
        Assert.Equal(0x0000_0000_8000_070FUL, bench.Tables!.Walk(new VirtAddr(VaBase))[3].Raw);
        Assert.True(bench.Tables.Audit().IsClean);
    }

    [Fact]
    public void W4_mapblock_builds_2_tables_with_the_native_hash()
    {
        var bench = new PtWorkloads.Setup();
        bench.MapOnce(allowBlocks: true);
        Assert.Equal(2UL, bench.Allocator.Used);
        Assert.Equal(0xc87cc685c53934a2UL, bench.TablesHash());
        var walk = bench.Tables!.Walk(new VirtAddr(VaBase));
        Assert.Equal(2, walk.Length);
        Assert.Equal((0x0000_0000_8000_070DUL, DescriptorKind.Block), (walk[1].Raw, walk[1].Kind));
    }

    [Fact]
    public void Repeated_maps_reuse_the_bump_frames_and_give_the_same_bytes()
    {
        var bench = new PtWorkloads.Setup();
        bench.MapOnce(allowBlocks: true);
        bench.MapOnce(allowBlocks: false);
        Assert.Equal(0x155823a8f9085c75UL, bench.TablesHash());
    }

    [Fact]
    public void W5_arithmetic_hash_for_seed_7_is_the_native_value()
    {
        Assert.Equal(0x48b995ad4ce4a0d6UL, PtWorkloads.ArithmeticHash(7, 10_000_000));
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(7, true)]
    [InlineData(12345, false)]
    public void W5_translations_hash_as_the_arithmetic_pas(ulong seed, bool blocks)
    {
        var bench = new PtWorkloads.Setup();
        bench.MapOnce(blocks);
        Assert.Equal(PtWorkloads.ArithmeticHash(seed, 200_000), PtWorkloads.WalkHash(bench.Tables!, seed, 200_000));
    }

    [Fact]
    public void Translate_allocates_nothing()
    {
        var bench = new PtWorkloads.Setup();
        bench.MapOnce(allowBlocks: false);
        PtWorkloads.WalkHash(bench.Tables!, 7, 1000);
        Assert.Equal(0, Allocations.FewestBytes(() => PtWorkloads.WalkHash(bench.Tables!, 7, 100_000)));
    }
}

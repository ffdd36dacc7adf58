using System.Diagnostics;
using System.Runtime.CompilerServices;
using XenMm.Arm64.PageTables;
using XenMm.Memory;
using XenMm.PageTables;

namespace XenMm.Bench;

/// <summary>
/// W3 (map 1 GiB with 4 KiB pages), W4 (the same with blocks) and W5 (seeded translations) of
/// shared/bench/native/pt_bench.c, through <see cref="PageTables{TFormat}"/> with the arm64 format. Same
/// definitions, timing and output lines as the native runner.
/// </summary>
public static class PtWorkloads
{
    private const ulong SimPaBase = 0x4000_0000;
    private const ulong SimFrames = 1024;
    private const ulong VaBase = 0x0000_0040_0000_0000;
    private const ulong PaBase = 0x0000_0000_8000_0000;
    private const ulong MapSize = 1UL << 30;
    private const ulong Pages = MapSize / Addressing.PageSize;
    private const int Reps = 15;
    private const ulong W5Count = 10_000_000;
    private const ulong FnvOffset = 0xcbf29ce484222325;

    /// <summary>The native workloads' leaf attributes: AttrIndx 3, inner shareable, AF; no nG, NS, XN (page = PA | 0x70F).</summary>
    public static readonly LeafAttributes NativeAttributes = new(MairIndex.MT_NORMAL_WB, Shareability.Inner, AccessFlag: true);

    /// <summary>W3: median of 15 maps of 1 GiB with 4 KiB pages; table count and hash.</summary>
    public static void W3(BenchArgs args)
    {
        var bench = new Setup();
        var ns = bench.MedianMap(allowBlocks: false, inner: 1);
        Console.WriteLine($"w3_map4k_ns_per_page {ns / Pages:F3} ns");
        Console.WriteLine($"w3_map4k_total_us {ns / 1e3:F1} us");
        Console.WriteLine($"w3_map4k_tables {bench.Allocator.Used} frames");
        Console.WriteLine($"w3_map4k_tables_hash 0x{bench.TablesHash():x16} hash");
    }

    /// <summary>
    /// W4: 15 samples, each the mean of 10,000 maps with blocks allowed (one 1 GiB block). Each map starts one tree
    /// again (<see cref="PageTables{TFormat}.Reinitialize"/>: a new root from the reset allocator, zeroed), as
    /// pt_bench.c's map_once resets its bump allocator and takes a new root; the native tree has no object to create.
    /// </summary>
    public static void W4(BenchArgs args)
    {
        var bench = new Setup(reuseTree: true);
        bench.WarmUp(allowBlocks: true);
        var ns = bench.MedianMap(allowBlocks: true, inner: (int)args.Get("inner", 10_000));
        Console.WriteLine($"w4_mapblock_ns_per_gib {ns / (MapSize >> 30):F1} ns");
        Console.WriteLine($"w4_mapblock_tables {bench.Allocator.Used} frames");
        Console.WriteLine($"w4_mapblock_tables_hash 0x{bench.TablesHash():x16} hash");
    }

    /// <summary>
    /// W4 with a new tree object per map (<see cref="PageTables{TFormat}.Create(PhysicalMemory, IFrameAllocator, LeafAttributes?)"/>),
    /// XenMm-only: what creating the tree's object adds to each map (its 120 bytes stream through the GC's youngest
    /// generation).
    /// </summary>
    public static void W4Create(BenchArgs args)
    {
        var bench = new Setup(reuseTree: false);
        bench.WarmUp(allowBlocks: true);
        var ns = bench.MedianMap(allowBlocks: true, inner: (int)args.Get("inner", 10_000));
        Console.WriteLine($"w4_create_map_ns_per_gib {ns / (MapSize >> 30):F1} ns");
    }

    /// <summary>W5: 10M seeded translations on the W4 tables (w5b) and on the W3 tables (w5).</summary>
    public static void W5(BenchArgs args)
    {
        var seed = args.Get("seed", 7);
        var count = args.Get("n", W5Count);
        var bench = new Setup();
        bench.MapOnce(allowBlocks: true);
        Walk(bench.Tables!, seed, count, "w5b_walk_block");
        bench.MapOnce(allowBlocks: false);
        Walk(bench.Tables!, seed, count, "w5_walk");
    }

    /// <summary>FNV-1a 64 of <paramref name="value"/>'s 8 little-endian bytes, continuing <paramref name="hash"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Fnv1a(ulong hash, ulong value) => Heap.BuddyHeap.Fnv(hash, value);

    /// <summary>The W5 translation loop; returns the hash of the returned PAs (all ones for a fault).</summary>
    /// <remarks>
    /// Compiled fully optimised from the first call, as the native loop is: the loop runs once per tag, so with
    /// tiering it would run as on-stack-replacement code, whose layout and register use vary from run to run.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong WalkHash(PageTables<Vmsa64Format> tables, ulong seed, ulong count)
    {
        var state = seed;
        var hash = FnvOffset;
        for (var n = 0UL; n < count; n++)
        {
            var t = tables.Translate(new VirtAddr(NextVa(ref state)));
            hash = Fnv1a(hash, t.IsFault ? ulong.MaxValue : t.PhysAddr.Value);
        }

        return hash;
    }

    /// <summary>The hash W5 must give: the PAs computed arithmetically.</summary>
    public static ulong ArithmeticHash(ulong seed, ulong count)
    {
        var state = seed;
        var hash = FnvOffset;
        for (var n = 0UL; n < count; n++)
        {
            hash = Fnv1a(hash, NextVa(ref state) - VaBase + PaBase);
        }

        return hash;
    }

    // pt_bench.c's W5 address: the first PRNG call picks the page, the second the offset.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong NextVa(ref ulong state)
    {
        var a = Next(ref state);
        var b = Next(ref state);
        return VaBase + ((a >> 12) % Pages * Addressing.PageSize) + (b & 0xfff);
    }

    private static void Walk(PageTables<Vmsa64Format> tables, ulong seed, ulong count, string tag)
    {
        var start = Stopwatch.GetTimestamp();
        var hash = WalkHash(tables, seed, count);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var expected = ArithmeticHash(seed, count);
        Console.WriteLine($"{tag}_ns_per_translate {elapsed.TotalNanoseconds / count:F3} ns");
        Console.WriteLine($"{tag}_hash 0x{hash:x16} hash");
        Console.WriteLine($"{tag}_hash_matches_arith {(hash == expected ? 1 : 0)} bool");
    }

    // xorshift64*, as pt_bench.c's prng_next: the state keeps the shifted value, the product is returned.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Next(ref ulong state)
    {
        var x = state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state = x;
        return x * 0x2545F4914F6CDD1D;
    }

    /// <summary>The simulated memory and bump allocator of pt_bench.c: 1024 frames from PA 0x4000_0000.</summary>
    public sealed class Setup
    {
        private readonly bool _reuseTree;

        /// <summary>Creates the memory (one 4 MiB bank) and the allocator.</summary>
        /// <param name="reuseTree">Each map after the first starts the same tree again rather than creating one.</param>
        public Setup(bool reuseTree = false)
        {
            _reuseTree = reuseTree;
            Memory = new PhysicalMemory([new RamBank(new PhysAddr(SimPaBase), SimFrames * Addressing.PageSize)], 48);
            Allocator = new BumpFrameAllocator(new PhysAddr(SimPaBase).Mfn, SimFrames);
        }

        /// <summary>The memory holding the tables.</summary>
        public PhysicalMemory Memory { get; }

        /// <summary>The bump allocator.</summary>
        public BumpFrameAllocator Allocator { get; }

        /// <summary>The tables of the last map.</summary>
        public PageTables<Vmsa64Format>? Tables { get; private set; }

        /// <summary>One map: reset the bump pointer, allocate the root, map 1 GiB; the tree becomes <see cref="Tables"/>.</summary>
        public void MapOnce(bool allowBlocks) => Tables = Map(allowBlocks);

        // pt_bench.c's map_once body. The timed loops keep the tree in a local and publish it after the loop, as
        // map_once keeps its root: a field store per map would add a GC write barrier that the native loop has no
        // counterpart for.
        private PageTables<Vmsa64Format> Map(bool allowBlocks)
        {
            Allocator.Reset();
            var tables = _reuseTree && Tables is { } tree ? Restart(tree) : PageTables<Vmsa64Format>.Create(Memory, Allocator);
            tables.MapRange(new VirtAddr(VaBase), new PhysAddr(PaBase), MapSize, NativeAttributes, allowBlocks);
            return tables;
        }

        private static PageTables<Vmsa64Format> Restart(PageTables<Vmsa64Format> tree)
        {
            tree.Reinitialize();
            return tree;
        }

        /// <summary>
        /// Untimed warm-up, as W1's: maps for 400 ms so that the timed samples run fully optimised code. Without it
        /// the whole W4 measurement (15 x 10,000 short maps, about 0.3 s) overlaps tiered compilation, and the median
        /// measured tier-0 or instrumented code in some runs (2.5 us per map against 0.3 us optimised).
        /// </summary>
        public void WarmUp(bool allowBlocks)
        {
            var start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < 400)
            {
                for (var k = 0; k < 1000; k++)
                {
                    MapOnce(allowBlocks);
                }
            }
        }

        /// <summary>Median over 15 samples of the mean time of <paramref name="inner"/> back-to-back maps, in ns.</summary>
        public double MedianMap(bool allowBlocks, int inner)
        {
            var samples = new double[Reps];
            for (var r = 0; r < Reps; r++)
            {
                var start = Stopwatch.GetTimestamp();
                var tables = Tables;
                for (var k = 0; k < inner; k++)
                {
                    tables = Map(allowBlocks);
                }

                samples[r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / inner;
                Tables = tables;
            }

            Array.Sort(samples);
            return samples[Reps / 2];
        }

        /// <summary>FNV-1a over every u64 of the frames handed out, in PA order (pt_bench.c's tables_hash).</summary>
        public ulong TablesHash()
        {
            var hash = FnvOffset;
            var end = SimPaBase + (Allocator.Used * Addressing.PageSize);
            for (var pa = SimPaBase; pa < end; pa += 8)
            {
                hash = Fnv1a(hash, Memory.ReadU64(new PhysAddr(pa)));
            }

            return hash;
        }
    }
}

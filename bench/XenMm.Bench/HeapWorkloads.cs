using XenMm.Workloads;
using System.Diagnostics;
using XenMm.Heap;
using XenMm.Memory;

namespace XenMm.Bench;

/// <summary>W1 (seeded alloc/free churn) and W2 (init_heap_pages of 2^24 pages) of BENCHMARKS.md, printing the native runner's lines.</summary>
internal static class HeapWorkloads
{
    public static void W1(BenchArgs args)
    {
        ulong seed = args.Get("seed", 42), baseMfn = args.Get("base", 0x80000), pages = args.Get("pages", 1UL << 20);
        ulong ops = args.Get("ops", 10_000_000);
        // Warm-up (untimed, own heap): the timed loop then runs fully optimised code, as the native one does.
        ChurnWorkload.RunOnNewHeap(seed + 1, 0x80000, 1UL << 16, 2_000_000, timed: false);
        var r = ChurnWorkload.RunOnNewHeap(seed, baseMfn, pages, ops, timed: true);
        if (args.Check)
        {
            // As the native --check: both init variants give the same initial state, and the end state audits clean.
            var banks = new[] { new RamBank(new Mfn(baseMfn).ToPhysAddr(), pages << Addressing.PageShift) };
            var chunked = new BuddyHeap(banks, HeapConfig.Arm64);
            var pagewise = new BuddyHeap(banks, HeapConfig.Arm64);
            chunked.InitHeapPages(new Mfn(baseMfn), pages, HeapInitMode.Chunked);
            pagewise.InitHeapPages(new Mfn(baseMfn), pages, HeapInitMode.PageWise);
            Console.WriteLine($"w1_init_variants_equal {(chunked.StateHash() == pagewise.StateHash() ? 1 : 0)} bool");
            Console.WriteLine($"w1_audit_violations {new Audit.HeapAudit(r.Heap).Run().Count} count");
        }

        Console.WriteLine($"w1_init_state_hash 0x{r.InitHash:x16} hash");
        Console.WriteLine($"w1_ns_per_op {r.Elapsed.TotalNanoseconds / ops:F2} ns");
        Console.WriteLine($"w1_total_s {r.Elapsed.TotalSeconds:F4} s");
        Console.WriteLine($"w1_allocs {r.Allocs} count");
        Console.WriteLine($"w1_frees {r.Frees} count");
        Console.WriteLine($"w1_failures {r.Failures} count");
        Console.WriteLine($"w1_live_blocks {r.LiveBlocks} count");
        Console.WriteLine($"w1_live_pages {r.LivePages} pages");
        Console.WriteLine($"w1_free_pages {r.Heap.TotalAvailPages} pages");
        var hist = r.Heap.FreeChunkHistogram();
        for (int o = 0; o < hist.Length; o++)
        {
            Console.WriteLine($"w1_free_chunks_order{o} {hist[o]} count");
        }

        Console.WriteLine($"w1_alloc_mfn_hash 0x{r.AllocHash:x16} hash");
        Console.WriteLine($"w1_final_state_hash 0x{r.Heap.StateHash():x16} hash");
    }

    public static void W2(BenchArgs args)
    {
        const ulong baseMfn = 0x80000, pages = 1UL << 24;
        foreach (var mode in new[] { HeapInitMode.Chunked, HeapInitMode.PageWise })
        {
            // Warm-up (untimed): JIT the init paths before timing them.
            for (int i = 0; i < 4; i++)
            {
                var warm = new BuddyHeap([new RamBank(new PhysAddr(0x8000_0000), 1UL << 32)], HeapConfig.Arm64);
                warm.InitHeapPages(new Mfn(baseMfn), 1UL << 20, mode);
            }
        }

        foreach (var (name, mode) in new[] { ("chunked", HeapInitMode.Chunked), ("pagewise", HeapInitMode.PageWise) })
        {
            var heap = new BuddyHeap([new RamBank(new Mfn(baseMfn).ToPhysAddr(), pages << Addressing.PageShift)], HeapConfig.Arm64);
            // W2 starts from a zeroed, pre-faulted frame table (BENCHMARKS.md; the native side backs its table before
            // timing, as Xen's setup_frametable_mappings does at boot). Backing it is timed apart and printed.
            var backing = Stopwatch.StartNew();
            heap.FrameTable.Prefault();
            backing.Stop();
            var sw = Stopwatch.StartNew();
            heap.InitHeapPages(new Mfn(baseMfn), pages, mode);
            sw.Stop();
            if (args.Check)
            {
                Console.WriteLine($"w2_{name}_audit_violations {new Audit.HeapAudit(heap).Run().Count} count");
            }

            var hist = heap.FreeChunkHistogram();
            Console.WriteLine($"w2_{name}_ns_per_page {sw.Elapsed.TotalNanoseconds / pages:F3} ns");
            Console.WriteLine($"w2_{name}_total_ms {sw.Elapsed.TotalMilliseconds:F3} ms");
            Console.WriteLine($"w2_{name}_table_prefault_ms {backing.Elapsed.TotalMilliseconds:F3} ms");
            Console.WriteLine($"w2_{name}_free_chunks_order{heap.MaxOrder} {hist[heap.MaxOrder]} count");
            Console.WriteLine($"w2_{name}_state_hash 0x{heap.StateHash():x16} hash");
        }
    }

    /// <summary>Boot of Xen's largest arm64 RAM: one 2 TiB bank at 2 GiB, frame table plus chunked init_heap_pages.</summary>
    public static void Boot2T(BenchArgs args)
    {
        ulong bytes = args.Get("pages", 1UL << 29) << Addressing.PageShift;
        var sw = Stopwatch.StartNew();
        var heap = new BuddyHeap([new RamBank(new PhysAddr(0x8000_0000), bytes)], HeapConfig.Arm64);
        heap.InitHeapPages(new Mfn(0x80000), bytes >> Addressing.PageShift);
        sw.Stop();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine($"boot2t_ms {sw.Elapsed.TotalMilliseconds:F3} ms");
        Console.WriteLine($"boot2t_free_pages {heap.TotalAvailPages} pages");
        Console.WriteLine($"boot2t_state_hash 0x{heap.StateHash():x16} hash");
        Console.WriteLine($"boot2t_peak_working_set_mib {self.PeakWorkingSet64 / (1024.0 * 1024):F1} MiB");
        Console.WriteLine($"boot2t_frame_table_reserved_mib {heap.FrameTable.ReservedBytes / (1024.0 * 1024):F1} MiB");
        if (args.Check)
        {
            Console.WriteLine($"boot2t_audit_violations {new Audit.HeapAudit(heap).Run().Count} count");
        }

        GC.KeepAlive(heap);
    }
}

using System.Diagnostics;
using XenMm.Arm64.Machine;
using XenMm.Machine;
using XenMm.Workloads;

namespace XenMm.Bench;

/// <summary>Workloads on whole machines: <c>boot-max</c>, the boot of the most RAM current Xen supports on arm64.</summary>
internal static class MachineWorkloads
{
    // FRAMETABLE_NR = 32 GiB / sizeof(struct page_info) = 34,359,738,368 / 56: the frame table binds before the
    // 5 TiB direct map does (xen-mm.md §1.4, invariant 20).
    private const ulong FrameTableNr = (32UL << 30) / 56;
    private const ulong RamStart = 0x4000_0000;

    /// <summary>
    /// <c>boot-max [pages=N] [ops=N] [seed=S] [--check]</c>: boots one bank of <c>pages</c> (default FRAMETABLE_NR) at
    /// 0x4000_0000 on arm64, runs <c>ops</c> operations of the churn workload and <c>ops/10</c> of the domains workload on
    /// it, and boots one page more to show Xen's panic (on standard error).
    /// </summary>
    public static void BootMax(BenchArgs args)
    {
        var pages = args.Get("pages", FrameTableNr);
        var arch = new Arm64Architecture();
        var sw = Stopwatch.StartNew();
        var machine = new XenMachine(Board(pages), arch);
        machine.Boot();
        sw.Stop();
        var bootMs = sw.Elapsed.TotalMilliseconds;

        // BENCHMARKS.md W1's churn on the booted machine's domheap, then the domains mix (xenheap, owned pages,
        // claims, map_domain_page) over it.
        var ops = args.Get("ops", 1_000_000);
        var seed = args.Get("seed", 1);
        var churn = new ChurnWorkload(seed, pages, (ops / 2) + 1);
        sw.Restart();
        churn.Run(machine, ops);
        sw.Stop();
        var domains = new DomainsWorkload(seed);
        domains.Run(machine, ops / 10);

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine($"boot_max_ram_bytes {pages << Addressing.PageShift} bytes");
        Console.WriteLine($"boot_max_ms {bootMs:F3} ms");
        Console.WriteLine($"boot_max_peak_mib {self.PeakWorkingSet64 / (1024.0 * 1024):F1} MiB");
        Console.WriteLine($"boot_max_churn_ns_per_op {sw.Elapsed.TotalNanoseconds / Math.Max(ops, 1):F1} ns");
        Console.WriteLine($"boot_max_churn_failures {churn.Failures} count");
        Console.WriteLine($"boot_max_xenheap_pages {domains.XenheapPages} pages");
        Console.WriteLine($"boot_max_free_pages {machine.Heap.TotalAvailPages} pages");
        if (args.Check)
        {
            Console.WriteLine($"boot_max_audit_violations {machine.Audit().Count} count");
        }

        GC.KeepAlive(machine);
        try
        {
            new XenMachine(Board(pages + 1), arch).Boot();
            Console.Error.WriteLine($"boot-max: {pages + 1} pages booted; expected Xen's panic");
        }
        catch (XenMmException ex) when (ex.Error == MmError.BootFailed)
        {
            Console.Error.WriteLine($"boot-max: one page more ({(pages + 1) << Addressing.PageShift} bytes): {ex.Message}");
        }
    }

    private static MachineOptions Board(ulong pages) => new()
    {
        Ram = [new MemoryRegion(new PhysAddr(RamStart), pages << Addressing.PageShift)],
        Cpus = 2,
        CommandLine = Arm64Architecture.QemuCommandLine,
    };
}

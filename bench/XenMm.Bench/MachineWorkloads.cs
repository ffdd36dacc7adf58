using System.Diagnostics;
using XenMm.Arm64.Machine;
using XenMm.Heap;
using XenMm.Machine;

namespace XenMm.Bench;

/// <summary>Workloads on whole machines: <c>boot-max</c>, the boot of the most RAM current Xen supports on arm64.</summary>
internal static class MachineWorkloads
{
    // FRAMETABLE_NR = 32 GiB / sizeof(struct page_info) = 34,359,738,368 / 56: the frame table binds before the
    // 5 TiB direct map does (xen-mm.md §1.4, invariant 20).
    private const ulong FrameTableNr = (32UL << 30) / 56;
    private const ulong RamStart = 0x4000_0000;

    /// <summary>
    /// <c>boot-max [pages=N] [ops=N] [seed=S]</c>: boots one bank of <c>pages</c> (default FRAMETABLE_NR) at 0x4000_0000
    /// on arm64, runs <c>ops</c> seeded xenheap/domheap operations on it, and boots one page more to show Xen's panic.
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

        var ops = args.Get("ops", 1_000_000);
        sw.Restart();
        var failures = Churn(machine, args.Get("seed", 1), ops);
        sw.Stop();

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine($"boot_max_ram_bytes {pages << Addressing.PageShift} bytes");
        Console.WriteLine($"boot_max_ms {bootMs:F3} ms");
        Console.WriteLine($"boot_max_peak_mib {self.PeakWorkingSet64 / (1024.0 * 1024):F1} MiB");
        Console.WriteLine($"boot_max_churn_ns_per_op {sw.Elapsed.TotalNanoseconds / Math.Max(ops, 1):F1} ns");
        Console.WriteLine($"boot_max_churn_failures {failures} count");
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

    // Seeded xorshift64* mix: half xenheap, half anonymous domheap blocks of orders 0-9, freed at random.
    private static ulong Churn(XenMachine machine, ulong seed, ulong ops)
    {
        var live = new (ulong Va, int Order, bool Xen)[4096];
        int count = 0;
        ulong state = seed | 1, failures = 0;
        var model = machine.HeapModel;
        var domheap = machine.Domheap;
        for (ulong op = 0; op < ops; op++)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            var r = state * 0x2545F4914F6CDD1DUL;
            if (count == 0 || (count < live.Length && (r & 1) == 0))
            {
                var order = (int)((r >> 8) % 10);
                var xen = ((r >> 16) & 1) == 0;
                ulong handle;
                bool ok;
                if (xen)
                {
                    ok = model.TryAllocXenheapPages(order, MemFlags.None, out var va);
                    handle = va.Value;
                }
                else
                {
                    ok = domheap.TryAllocPages(null, order, MemFlags.None, out var mfn);
                    handle = mfn.Value;
                }

                if (!ok)
                {
                    failures++;
                    continue;
                }

                live[count++] = (handle, order, xen);
            }
            else
            {
                var i = (int)((r >> 8) % (ulong)count);
                var (handle, order, xen) = live[i];
                if (xen)
                {
                    model.FreeXenheapPages(new VirtAddr(handle), order);
                }
                else
                {
                    domheap.FreePages(new Mfn(handle), order);
                }

                live[i] = live[--count];
            }
        }

        return failures;
    }
}

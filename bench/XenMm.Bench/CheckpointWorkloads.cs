using System.Diagnostics;
using XenMm.Arm64.Machine;
using XenMm.Machine;
using XenMm.Workloads;

namespace XenMm.Bench;

/// <summary>
/// <c>ckpt</c> (BENCHMARKS.md): the W1 end state on a 4 GiB machine (W1's churn on its heap), saved and restored;
/// prints <c>ckpt_save_ms</c>, <c>ckpt_restore_ms</c> (medians) and <c>ckpt_bytes</c>.
/// </summary>
internal static class CheckpointWorkloads
{
    public static void Ckpt(BenchArgs args)
    {
        ulong seed = args.Get("seed", 42), ops = args.Get("ops", 10_000_000), runs = Math.Max(1, args.Get("runs", 5));
        var arch = new Arm64Architecture();
        var options = new MachineOptions { Ram = [new MemoryRegion(new PhysAddr(0x8000_0000), 4UL << 30)] };
        var machine = new XenMachine(options, arch);
        machine.Boot();
        // W1's own loop (alloc_heap_pages over every zone, free_heap_pages) on the machine's heap.
        var churn = new ChurnWorkload(seed, machine.Heap.TotalAvailPages);
        var target = new HeapChurnTarget(machine.Heap);
        var none = default(NoChurnObserver);
        churn.Run(ref target, ops, ref none);

        byte[] file = [];
        var save = new List<double>();
        var restore = new List<double>();
        ulong restoredHash = 0;
        for (ulong i = 0; i <= runs; i++)
        {
            // Run 0 warms up (JIT) and is not counted.
            var sw = Stopwatch.StartNew();
            using (var s = new MemoryStream())
            {
                machine.SaveCheckpoint(s);
                file = s.ToArray();
            }

            var saveMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            var restored = XenMachine.RestoreCheckpoint(new MemoryStream(file), arch);
            var restoreMs = sw.Elapsed.TotalMilliseconds;
            if (i > 0)
            {
                save.Add(saveMs);
                restore.Add(restoreMs);
            }

            restoredHash = restored.Heap.StateHash();
        }

        Console.WriteLine($"ckpt_machine {arch.Name} arch");
        Console.WriteLine($"ckpt_save_ms {Median(save):F1} ms");
        Console.WriteLine($"ckpt_restore_ms {Median(restore):F1} ms");
        Console.WriteLine($"ckpt_bytes {file.Length} bytes");
        Console.WriteLine($"ckpt_free_chunks {machine.Heap.FreeChunkHistogram().Aggregate(0UL, (a, b) => a + b)} count");
        Console.WriteLine($"ckpt_state_equal {(restoredHash == machine.Heap.StateHash() ? 1 : 0)} bool");
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}

using System.Globalization;

namespace XenMm.Bench;

/// <summary>
/// <c>XenMm.Bench [w1|w2|w3|w4|w5 ...] [key=value ...]</c>: runs the named workloads (all by default) and prints
/// one <c>name value unit</c> line per figure, the same names as shared/bench/native.
/// </summary>
public static class Program
{
    private static readonly (string Name, Action<BenchArgs> Run)[] Workloads =
    [
        // boot-max and boot2t first: their peak working sets are process-lifetime figures (run each alone to compare).
        ("boot-max", MachineWorkloads.BootMax),
        ("boot2t", HeapWorkloads.Boot2T),
        ("w1", HeapWorkloads.W1),
        ("w2", HeapWorkloads.W2),
        ("w3", PtWorkloads.W3),
        ("w4", PtWorkloads.W4),
        ("w5", PtWorkloads.W5),
        ("ckpt", CheckpointWorkloads.Ckpt),
    ];

    public static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        var parsed = BenchArgs.Parse(args);
        var selected = Workloads.Where(w => parsed.Workloads.Count == 0 || parsed.Workloads.Contains(w.Name)).ToList();
        foreach (var name in parsed.Workloads.Where(n => Workloads.All(w => w.Name != n)))
        {
            Console.Error.WriteLine($"XenMm.Bench: unknown workload '{name}'");
            return 2;
        }

        foreach (var (_, run) in selected)
        {
            run(parsed);

            // The native side runs its heap and page-table workloads in separate processes, which give their memory
            // back when they exit. Here one workload's heaps (a W2 frame table is 256 MiB of native memory, freed by
            // a finalizer) would be released during the next one's timed loop, by a background GC and the unmaps'
            // TLB shootdowns; release them in between, untimed.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        return 0;
    }
}

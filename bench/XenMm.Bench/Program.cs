using System.Globalization;

namespace XenMm.Bench;

/// <summary>
/// <c>XenMm.Bench [w1|w2|w3|w4|w5 ...] [key=value ...]</c>: runs the named workloads (all by default) and prints
/// one <c>name value unit</c> line per figure, the same names as shared/bench/native. <c>--groups</c> lists the
/// workloads one process group per line.
/// </summary>
public static class Program
{
    // Each workload with its process group: compare.sh runs one process per group (--groups lists them), as the native
    // side runs one per binary (xenheap_bench: W1, W2; pt_bench: W3-W5). A workload run after another in the same
    // process gets code that tiered compilation optimised for the other's profile: W1 after boot-max ran 12% slower.
    private static readonly (string Name, string Group, Action<BenchArgs> Run)[] Workloads =
    [
        // boot-max and boot2t first: their peak working sets are process-lifetime figures (run each alone to compare).
        ("boot-max", "boot-max", MachineWorkloads.BootMax),
        ("boot2t", "boot2t", HeapWorkloads.Boot2T),
        ("w1", "heap", HeapWorkloads.W1),
        ("w2", "heap", HeapWorkloads.W2),
        ("w3", "pt", PtWorkloads.W3),
        ("w4", "pt", PtWorkloads.W4),
        ("w5", "pt", PtWorkloads.W5),
        ("w4-create", "w4-create", PtWorkloads.W4Create),
        ("ckpt", "ckpt", CheckpointWorkloads.Ckpt),
    ];

    public static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        if (args is ["--groups"])
        {
            // One line per process group, its workloads separated by spaces.
            foreach (var group in Workloads.GroupBy(w => w.Group))
            {
                Console.WriteLine(string.Join(' ', group.Select(w => w.Name)));
            }

            return 0;
        }

        var parsed = BenchArgs.Parse(args);
        var selected = Workloads.Where(w => parsed.Workloads.Count == 0 || parsed.Workloads.Contains(w.Name)).ToList();
        foreach (var name in parsed.Workloads.Where(n => Workloads.All(w => w.Name != n)))
        {
            Console.Error.WriteLine($"XenMm.Bench: unknown workload '{name}'");
            return 2;
        }

        foreach (var (_, _, run) in selected)
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

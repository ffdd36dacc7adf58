using System.Diagnostics;
using XenMm.Checkpoint;
using XenMm.Cli.Machines;
using XenMm.Cli.Output;
using XenMm.Machine;
using XenMm.Workloads;

namespace XenMm.Cli.Demo;

/// <summary>
/// One machine of <c>xenmm demo</c>: boot on the architecture's default board, the layout and heap summary, a seeded
/// domains workload with a vmalloc, a checkpoint to memory, the restore, and both copies continued side by side.
/// </summary>
internal sealed class MachineTour(IArchitecture arch, Terminal terminal)
{
    public const ulong Seed = 1;
    public const ulong Ops = 2000;
    public const ulong MoreOps = 500;
    private const ulong VmallocBytes = 3 * Addressing.PageSize;

    /// <summary>The checkpoint the tour made, for <c>--save</c>.</summary>
    public byte[] Checkpoint { get; private set; } = [];

    /// <summary>True when the restored machine matched the original at every check.</summary>
    public bool Verified { get; private set; }

    /// <summary>Runs the tour, telling <paramref name="phase"/> what it is doing (a terminal's status line).</summary>
    public void Run(Action<string> phase)
    {
        var clock = Stopwatch.StartNew();
        var m = new XenMachine(arch.DefaultBoard(), arch);
        m.Boot();
        terminal.Line($"{arch.Name} ({m.HeapModel.Name} heap, {arch.PageTableFormat} tables): booted in {clock.ElapsedMilliseconds} ms");
        foreach (var line in m.BootLog.Select(l => l.ToString()).Where(l => l.StartsWith("(XEN) Xen heap:", StringComparison.Ordinal) || l.StartsWith("(XEN) Dom heap:", StringComparison.Ordinal)))
        {
            terminal.Line($"  {line}");
        }

        terminal.Line("  layout:");
        terminal.Write(BootReport.LayoutTable(m, last: false), indent: 4);
        Heap(m);
        var booted = m.Census();

        phase($"{arch.Name}: {Ops} operations of the domains workload");
        var work = new DomainsWorkload(Seed);
        work.Run(m, Ops);
        var owned = work.GetState().Owned[0];
        var dmp = m.DomainPages.Map(0, new Mfn(owned.Mfn));
        var dmpText = $"map_domain_page({new Mfn(owned.Mfn)}) on CPU 0 = {dmp}";
        m.DomainPages.Unmap(0, dmp);
        if (!m.Vmap.TryMalloc(VmallocBytes, out var vm))
        {
            throw new XenMmException(MmError.OutOfMemory, "demo: vmalloc of 3 pages failed.");
        }

        var backing = Enumerable.Range(0, 3).Select(i => m.Mappings.Translate(vm + ((ulong)i * Addressing.PageSize)).PhysAddr.Mfn.ToString());
        terminal.Line($"  workload domains seed {Seed}, {work.Operations} ops: {work.DomainCount} domains own {work.OwnedPages} pages, " +
            $"{work.XenheapPages} xenheap pages live, {work.Failures} failures, {work.Refusals} claims refused");
        terminal.Line($"  {dmpText}; vmalloc(12 KiB) = {vm} on MFNs {string.Join(", ", backing)}");
        terminal.Line($"  census ({booted.TotalRamPages} pages):");
        terminal.Write(BootReport.CensusTable(("after boot", booted), ("after the workload", m.Census())), indent: 4);

        phase($"{arch.Name}: checkpoint, restore, both run on");
        using (var stream = new MemoryStream())
        {
            m.SaveCheckpoint(stream, new Dictionary<string, byte[]> { [WorkloadStateCodec.AttachmentName] = WorkloadStateCodec.Encode(work.GetState()) });
            Checkpoint = stream.ToArray();
        }

        var copy = XenMachine.RestoreCheckpointWithAttachments(new MemoryStream(Checkpoint), arch);
        var copyWork = DomainsWorkload.FromState(WorkloadStateCodec.DecodeDomains(copy.Attachments[WorkloadStateCodec.AttachmentName]));
        var (saved, restored) = (m.StateHash(), copy.Machine.StateHash());
        terminal.Line($"  checkpoint: {Checkpoint.Length} bytes in memory; restored: state_hash 0x{restored:x16} {Same(saved, restored)} 0x{saved:x16}");

        foreach (var (machine, w) in new[] { (m, work), (copy.Machine, copyWork) })
        {
            machine.Vmap.VFree(vm);
            w.Run(machine, MoreOps);
        }

        var (a, b) = (m.StateHash(), copy.Machine.StateHash());
        var audit = m.Audit().Count + copy.Machine.Audit().Count;
        terminal.Line($"  both run on (vfree, {MoreOps} more ops): state_hash 0x{a:x16} {Same(a, b)} 0x{b:x16}, audit {(audit == 0 ? "clean" : $"{audit} violation(s)")}");
        Verified = saved == restored && a == b && work.ResultHash == copyWork.ResultHash && audit == 0;
        terminal.Line($"  {clock.ElapsedMilliseconds} ms in all");
    }

    private void Heap(XenMachine m)
    {
        if (m.HeapModel.XenheapRange is { } xh)
        {
            terminal.Line($"  xenheap: MFN [{xh.Start}, {xh.End}) {xh.Pages} pages mapped at {m.HeapModel.XenheapVirtStart}; " +
                $"buffer pages {string.Join(", ", m.HeapModel.BufferPages.Select(b => b.Start.ToString()))} kept out of both heaps");
        }
        else
        {
            var start = m.Memory.Banks.Min(b => b.StartMfn);
            var end = new Mfn(m.Memory.Banks.Max(b => b.End) >> Addressing.PageShift);
            terminal.Line($"  direct map: MFN [{start}, {end}) at {m.HeapModel.XenheapVirtStart}; xenheap pages come from the one heap, flagged PGC_xen_heap");
        }
    }

    private static string Same(ulong a, ulong b) => a == b ? "==" : "!=";
}

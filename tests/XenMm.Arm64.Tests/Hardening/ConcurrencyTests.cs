using XenMm.Audit;
using XenMm.PageTables;

namespace XenMm.Arm64.Tests.Hardening;

/// <summary>Mapping, vmap and the audits run together on one machine: no exception, no spurious problem.</summary>
public class ConcurrencyTests
{
    [Fact]
    public async Task Map_vmap_and_audits_run_together()
    {
        var m = new FuzzMachine(1024);
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        void Loop(Action body)
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    body();
                }
            }
            catch (Exception e)
            {
                problems.Enqueue(e.ToString());
            }
        }

        var k = 0UL;
        var mapper = Task.Run(() => Loop(() =>
        {
            // New tables each round (a fresh 1 GiB slot), so TablePages and the audit race with table creation.
            var va = new VirtAddr(FuzzMachine.Window + ((k++ % 64) << 30));
            m.Xen.Map(va, new Mfn(0x80010), 4, PageFlags.Hypervisor);
            _ = m.Xen.Translate(va + 0x1000);
            m.Xen.Destroy(va, va + 0x4000);
        }));
        var vmapper = Task.Run(() => Loop(() =>
        {
            if (m.Vmap.TryMalloc(3 * 4096, out var va))
            {
                m.Vmap.VFree(va);
            }
        }));
        var auditor = Task.Run(() => Loop(() =>
        {
            if (m.Xen.Tables.Audit() is { IsClean: false } audit)
            {
                problems.Enqueue(string.Join("; ", audit.Problems));
            }

            _ = m.Xen.Tables.TablePages;
            _ = m.Xen.Tables.Dump();
            foreach (var v in new HeapAudit(m.Heap, m.Domains).Run())
            {
                problems.Enqueue(v.ToString());
            }
        }));
        await Task.WhenAll(mapper, vmapper, auditor);
        Assert.Empty(problems);
        Assert.Null(m.Violations());
    }
}

using XenMm.Tests.Shared;
using CsCheck;
using XenMm.Arm64.Heap;
using XenMm.Arm64.Machine;
using XenMm.Machine;
using XenMm.Workloads;

namespace XenMm.Arm64.Tests.Heap;

/// <summary>
/// Long seeded mixes on arm64 machines (PDX compression, a reserved region, a module, sometimes <c>xenheap_bits</c>):
/// the domains workload (owned pages, claims, xenheap, map_domain_page), the churn workload (anonymous domheap
/// blocks up to order 9) and vmap, interleaved one operation at a time. The audit stays empty, the census adds up to
/// RAM with each category what the workloads hold, and zone 0 never holds a chunk.
/// </summary>
public class UnifiedMachineMixTests
{
    [Fact]
    public void Audit_and_census_hold_and_zone_0_stays_empty() =>
        Gen.ULong.Sample(seed => Run(seed, 4000), iter: 10);

    private static void Run(ulong seed, int ops)
    {
        var rng = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var options = new MachineOptions
        {
            // Two banks far apart: PDX mask compression squeezes the bits between them out.
            Ram = [new MemoryRegion(new PhysAddr(0x8000_0000), 64UL << 20), new MemoryRegion(new PhysAddr(0x80_0000_0000), 32UL << 20)],
            Reserved = [new MemoryRegion(new PhysAddr(0x8100_0800), 0x3000)],
            Modules = [new BootModule(BootModuleKind.Kernel, new PhysAddr(0x8200_0000), 0x12345)],
            Cpus = 3,
        };

        // Half the runs call xenheap_max_mfn(0xFFFFF): Sep 2015 gives 32 bits, so the xenheap stays in the lower bank.
        var arm64 = new Arm64Options { XenheapMaxMfn = rng.Next(2) == 0 ? new Mfn(0xFFFFF) : null };
        var m = new XenMachine(options, new Arm64Architecture(arm64));
        m.Boot();
        Assert.True(m.FrameTable.Pdx.IsCompressed);
        var model = (UnifiedHeapModel)m.HeapModel;
        Assert.Equal(arm64.XenheapMaxMfn is null ? 0 : 32, model.XenheapBits);

        var domains = new DomainsWorkload(seed, domains: 3, maxPages: 4096);
        var churn = new ChurnWorkload(seed ^ 0x5A5A, pages: 8192);
        var vm = new List<VirtAddr>();
        for (var op = 0; op < ops; op++)
        {
            switch (rng.Next(5))
            {
                case 0 or 1:
                    domains.Run(m, 1);
                    break;
                case 2 or 3:
                    churn.Run(m, 1);
                    break;
                default:
                    VmallocChurn.Step(m.Vmap, vm, rng);

                    break;
            }

            // No zone-0 chunk, ever (invariant 12).
            Assert.Equal(0UL, m.Heap.Avail(0, 0));
            if (op % 400 == 0 || op == ops - 1)
            {
                Check(m, model, domains, churn);
            }
        }

        Assert.True(domains.XenheapPages + churn.LivePages > 0);
    }

    private static void Check(XenMachine m, UnifiedHeapModel model, DomainsWorkload domains, ChurnWorkload churn)
    {
        Assert.Empty(m.Audit());
        var census = m.Census();
        Assert.Empty(census.Violations);
        Assert.Equal(census.TotalRamPages, census.Pages.Values.Aggregate(0UL, (a, b) => a + b));
        Assert.Equal(m.Heap.TotalAvailPages, census[PageUse.Free]);
        Assert.Equal(domains.OwnedPages, census[PageUse.Domain]);
        Assert.Equal(churn.LivePages, census[PageUse.Anonymous]);
        Assert.Equal(domains.XenheapPages, census[PageUse.Xenheap]);
        Assert.Equal(domains.XenheapPages, model.XenheapAllocations.Aggregate(0UL, (s, r) => s + r.Pages));
        if (model.XenheapBits != 0)
        {
            Assert.All(model.XenheapAllocations, r => Assert.True(r.End.ToPhysAddr().Value <= 1UL << model.XenheapBits));
        }
    }
}

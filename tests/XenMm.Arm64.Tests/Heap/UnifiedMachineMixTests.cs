using CsCheck;
using XenMm.Arm64.Machine;
using XenMm.Domains;
using XenMm.Heap;
using XenMm.Machine;

namespace XenMm.Arm64.Tests.Heap;

/// <summary>
/// Long seeded mixes of xenheap, domheap, domain, vmap and map_domain_page operations on arm64 machines (PDX
/// compression, a reserved region, modules, sometimes <c>xenheap_bits</c>): the audit stays empty, the census adds up
/// to RAM with each category what the operations account for, and zone 0 never holds a chunk.
/// </summary>
public class UnifiedMachineMixTests
{
    [Fact]
    public void Audit_and_census_hold_and_zone_0_stays_empty() =>
        Gen.ULong.Sample(seed => Run(seed, 3000), iter: 10);

    private static void Run(ulong seed, int ops)
    {
        var rng = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var options = new MachineOptions
        {
            // Two banks far apart: PDX mask compression squeezes bits 22-29 out.
            Ram = [new MemoryRegion(new PhysAddr(0x8000_0000), 64UL << 20), new MemoryRegion(new PhysAddr(0x80_0000_0000), 32UL << 20)],
            Reserved = [new MemoryRegion(new PhysAddr(0x8100_0800), 0x3000)],
            Modules = [new BootModule(BootModuleKind.Kernel, new PhysAddr(0x8200_0000), 0x12345)],
            Cpus = 3,
        };
        var arm64 = new Arm64Options();
        if (rng.Next(2) == 0)
        {
            arm64.XenheapMaxMfn = new Mfn(0xFFFFF); // Sep 2015: 32 bits, the xenheap stays in the lower bank
        }

        var m = new XenMachine(options, new Arm64Architecture(arm64));
        m.Boot();
        Assert.True(m.FrameTable.Pdx.IsCompressed);
        var domains = new List<Domain> { m.CreateDomain(1, 4096), m.CreateDomain(2, 1UL << 20) };
        var owned = new List<(Mfn Mfn, int Order)>();
        var anonymous = new List<(Mfn Mfn, int Order)>();
        var xen = new List<(VirtAddr Va, int Order)>();
        var vm = new List<VirtAddr>();
        for (var op = 0; op < ops; op++)
        {
            switch (rng.Next(10))
            {
                case 0:
                    {
                        var d = domains[rng.Next(domains.Count)];
                        var order = rng.Next(5);
                        if (m.Domheap.TryAllocPages(d, order, MemFlags.None, out var mfn))
                        {
                            owned.Add((mfn, order));
                        }

                        break;
                    }

                case 1 when owned.Count > 0:
                    {
                        var i = rng.Next(owned.Count);
                        m.Domheap.FreePages(owned[i].Mfn, owned[i].Order);
                        owned.RemoveAt(i);
                        break;
                    }

                case 2:
                    {
                        var order = rng.Next(6);
                        if (m.Domheap.TryAllocPages(null, order, rng.Next(2) == 0 ? MemFlags.None : MemFlags.Bits(32), out var mfn))
                        {
                            anonymous.Add((mfn, order));
                        }

                        break;
                    }

                case 3 when anonymous.Count > 0:
                    {
                        var i = rng.Next(anonymous.Count);
                        m.Domheap.FreePages(anonymous[i].Mfn, anonymous[i].Order);
                        anonymous.RemoveAt(i);
                        break;
                    }

                case 4 or 5:
                    {
                        var order = rng.Next(8);
                        var flags = rng.Next(3) switch { 0 => MemFlags.None, 1 => MemFlags.Bits(32), _ => MemFlags.Bits(40) };
                        if (m.HeapModel.TryAllocXenheapPages(order, flags, out var va))
                        {
                            xen.Add((va, order));
                        }

                        break;
                    }

                case 6 when xen.Count > 0:
                    {
                        var i = rng.Next(xen.Count);
                        m.HeapModel.FreeXenheapPages(xen[i].Va, xen[i].Order);
                        xen.RemoveAt(i);
                        break;
                    }

                case 7:
                    if (vm.Count < 40 && m.Vmap.TryMalloc((ulong)(rng.Next(1, 6) * 4096), out var v))
                    {
                        vm.Add(v);
                    }
                    else if (vm.Count > 0)
                    {
                        var i = rng.Next(vm.Count);
                        m.Vmap.VFree(vm[i]);
                        vm.RemoveAt(i);
                    }

                    break;

                default:
                    {
                        var cpu = rng.Next(3);
                        var mfn = xen.Count > 0 && rng.Next(2) == 0 ? m.HeapModel.VirtToMaddr(xen[rng.Next(xen.Count)].Va).Mfn
                            : owned.Count > 0 ? owned[rng.Next(owned.Count)].Mfn : new Mfn(0x800_0000);
                        var va = m.DomainPages.Map(cpu, mfn);
                        Assert.Equal(mfn, m.DomainPages.ToMfn(cpu, va));
                        Assert.Equal(mfn.ToPhysAddr(), m.Mappings.Translate(va).PhysAddr);
                        m.DomainPages.Unmap(cpu, va);
                        break;
                    }
            }

            // No zone-0 chunk, ever (invariant 12).
            Assert.Equal(0UL, m.Heap.Avail(0, 0));
            if (op % 300 == 0 || op == ops - 1)
            {
                Check(m, owned, anonymous, xen);
            }
        }
    }

    private static void Check(XenMachine m, List<(Mfn Mfn, int Order)> owned, List<(Mfn Mfn, int Order)> anonymous, List<(VirtAddr Va, int Order)> xen)
    {
        Assert.Empty(m.Audit());
        var census = m.Census();
        Assert.Empty(census.Violations);
        Assert.Equal(census.TotalRamPages, census.Pages.Values.Aggregate(0UL, (a, b) => a + b));
        Assert.Equal(m.Heap.TotalAvailPages, census[PageUse.Free]);
        Assert.Equal(m.Domains.Aggregate(0UL, (s, d) => s + d.TotPages), census[PageUse.Domain]);
        Assert.Equal(anonymous.Aggregate(0UL, (s, o) => s + (1UL << o.Order)), census[PageUse.Anonymous]);
        Assert.Equal(xen.Aggregate(0UL, (s, o) => s + (1UL << o.Order)), census[PageUse.Xenheap]);
        Assert.Equal(xen.Aggregate(0UL, (s, o) => s + (1UL << o.Order)), m.HeapModel.XenheapAllocations.Aggregate(0UL, (s, r) => s + r.Pages));
        var model = (XenMm.Arm64.Heap.UnifiedHeapModel)m.HeapModel;
        if (model.XenheapBits != 0)
        {
            Assert.All(xen, x => Assert.True(model.VirtToMaddr(x.Va).Value < 1UL << model.XenheapBits));
        }
    }
}

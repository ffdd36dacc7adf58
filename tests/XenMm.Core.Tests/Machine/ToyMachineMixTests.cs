using XenMm.Tests.Shared;
using CsCheck;
using XenMm.Domains;
using XenMm.Heap;
using XenMm.Machine;
using XenMm.Tests.Machine.Toy;

namespace XenMm.Tests.Machine;

/// <summary>
/// Long random mixes of domheap, xenheap, vmap and map_domain_page on a booted machine: the audit stays empty and the
/// census keeps placing every page exactly once, with each category equal to what the operations account for.
/// </summary>
public sealed class ToyMachineMixTests
{
    [Fact]
    public void Audit_and_census_hold_through_random_operations() =>
        Gen.ULong.Sample(seed => Run(seed, 1500), iter: 12);

    [Fact]
    public void A_failed_boot_leaves_the_machine_unbooted()
    {
        // 1 GiB of frame table at 32 bytes an entry covers 128 GiB: a bank one group beyond panics as Xen does.
        var arch = new ToyArchitecture();
        var machine = new XenMachine(new MachineOptions { Ram = [new MemoryRegion(new PhysAddr(0x4000_0000), (128UL << 30) + (1UL << 30))] }, arch);
        var ex = Assert.Throws<XenMmException>(machine.Boot);
        Assert.Equal(MmError.BootFailed, ex.Error);
        Assert.Equal("Xen panics: Frametable too small", ex.Message);
        Assert.False(machine.IsBooted);
        Assert.Equal(MmError.InvalidState, Assert.Throws<XenMmException>(() => machine.BootLog).Error);
    }

    [Fact]
    public void A_machine_boots_once()
    {
        var arch = new ToyArchitecture();
        var machine = new XenMachine(arch.DefaultBoard(), arch);
        machine.Boot();
        Assert.Equal(MmError.InvalidState, Assert.Throws<XenMmException>(machine.Boot).Error);
    }

    private static void Run(ulong seed, int ops)
    {
        var arch = new ToyArchitecture();
        var options = new MachineOptions
        {
            Ram = [new MemoryRegion(new PhysAddr(0x8000_0000), 64UL << 20), new MemoryRegion(new PhysAddr(0x1_0000_0000), 32UL << 20)],
            Reserved = [new MemoryRegion(new PhysAddr(0x8100_0800), 0x3000)],
            Modules = [new BootModule(BootModuleKind.Kernel, new PhysAddr(0x8200_0000), 0x12345)],
            Cpus = 3,
        };
        var m = new XenMachine(options, arch);
        m.Boot();
        var rng = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var domains = new List<Domain> { m.CreateDomain(1, 4096), m.CreateDomain(2, 1UL << 20) };
        var owned = new List<(Domain D, Mfn Mfn, int Order)>();
        var anonymous = new List<(Mfn Mfn, int Order)>();
        var xen = new List<(VirtAddr Va, int Order)>();
        var vm = new List<VirtAddr>();
        for (var op = 0; op < ops; op++)
        {
            switch (rng.Next(9))
            {
                case 0 or 1:
                    {
                        var d = domains[rng.Next(domains.Count)];
                        var order = rng.Next(5);
                        if (m.Domheap.TryAllocPages(d, order, MemFlags.None, out var mfn))
                        {
                            owned.Add((d, mfn, order));
                        }

                        break;
                    }

                case 2 when owned.Count > 0:
                    {
                        var i = rng.Next(owned.Count);
                        m.Domheap.FreePages(owned[i].Mfn, owned[i].Order);
                        owned.RemoveAt(i);
                        break;
                    }

                case 3:
                    {
                        var order = rng.Next(4);
                        if (m.Domheap.TryAllocPages(null, order, MemFlags.None, out var mfn))
                        {
                            anonymous.Add((mfn, order));
                        }

                        break;
                    }

                case 4 when anonymous.Count > 0:
                    {
                        var i = rng.Next(anonymous.Count);
                        m.Domheap.FreePages(anonymous[i].Mfn, anonymous[i].Order);
                        anonymous.RemoveAt(i);
                        break;
                    }

                case 5:
                    {
                        var order = rng.Next(3);
                        if (m.HeapModel.TryAllocXenheapPages(order, MemFlags.None, out var va))
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
                    VmallocChurn.Step(m.Vmap, vm, rng);

                    break;

                default:
                    {
                        var cpu = rng.Next(3);
                        var mfn = owned.Count > 0 ? owned[rng.Next(owned.Count)].Mfn : new Mfn(0x80010);
                        var va = m.DomainPages.Map(cpu, mfn);
                        Assert.Equal(mfn, m.DomainPages.ToMfn(cpu, va));
                        m.DomainPages.Unmap(cpu, va);
                        break;
                    }
            }

            if (op % 250 == 0 || op == ops - 1)
            {
                Check(m, owned, anonymous, xen);
            }
        }
    }

    private static void Check(XenMachine m, List<(Domain D, Mfn Mfn, int Order)> owned, List<(Mfn Mfn, int Order)> anonymous, List<(VirtAddr Va, int Order)> xen)
    {
        Assert.Empty(m.Audit());
        var census = m.Census();
        Assert.Equal(census.TotalRamPages, census.Pages.Values.Aggregate(0UL, (a, b) => a + b));
        Assert.Equal(m.Heap.TotalAvailPages, census[PageUse.Free]);
        Assert.Equal(owned.Aggregate(0UL, (s, o) => s + (1UL << o.Order)), census[PageUse.Domain]);
        Assert.Equal(owned.Aggregate(0UL, (s, o) => s + (1UL << o.Order)), m.Domains.Aggregate(0UL, (s, d) => s + d.TotPages));
        Assert.Equal(anonymous.Aggregate(0UL, (s, o) => s + (1UL << o.Order)), census[PageUse.Anonymous]);
        Assert.Equal(xen.Aggregate(0UL, (s, o) => s + (1UL << o.Order)), census[PageUse.Xenheap]);
        Assert.Equal(4UL, census[PageUse.Reserved]); // [0x81000800, 0x81003800) costs pages 0x81000-0x81003: Xen rounds the RAM around it inward
    }
}

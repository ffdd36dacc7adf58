using CsCheck;
using XenMm.Domains;
using XenMm.Heap;
using XenMm.Machine;
using static XenMm.Arm32.Tests.Machine.Arm32TestBoards;

namespace XenMm.Arm32.Tests.Machine;

/// <summary>
/// Long random mixes of xenheap, domheap, map_domain_page and map_domain_page_global operations on a booted
/// three-CPU arm32 machine: the audit stays empty and the census adds up to RAM.
/// </summary>
public class RandomMixTests
{
    // Each int is one operation: kind = v % 10, order = (v / 10) % 5, pick = v / 50.
    private static readonly Gen<int[]> Ops = Gen.Int[0, 50 * 4096].Array[50, 400];

    [Fact]
    public void Audit_and_census_stay_clean_current_profile() =>
        Ops.Sample(ops => Replay(ops, XenProfile.Current), iter: 25, seed: "0N0XIzNsQ0O2");

    [Fact]
    public void Audit_and_census_stay_clean_2013_profile() =>
        Ops.Sample(ops => Replay(ops, XenProfile.Xen2013), iter: 10, seed: "0N0XIzNsQ0O2");

    private static void Replay(int[] ops, XenProfile profile)
    {
        // 256 MiB at 0x4000_0000 (2013: 512 MiB, its xenheap is at least 128 MiB).
        var ram = profile == XenProfile.Xen2013 ? 512 * MiB : 256 * MiB;
        var m = Boot(new MachineOptions
        {
            Ram = [Bank(0x4000_0000, ram)],
            Modules = [Module(BootModuleKind.DeviceTree, 0x4800_0000, 0x10_0000)],
            Cpus = 3,
            Profile = profile,
        });
        var domain = m.CreateDomain(1, 4096);
        var xen = new List<(VirtAddr Va, int Order)>();
        var dom = new List<(Mfn Mfn, int Order, Domain? Owner)>();
        var maps = new List<(int Cpu, VirtAddr Va)>();
        var globals = new List<VirtAddr>();
        var ramPages = ram >> Addressing.PageShift;
        foreach (var v in ops)
        {
            int kind = v % 10, order = v / 10 % 5, pick = v / 50;
            switch (kind)
            {
                case 0 or 1:
                    if (m.HeapModel.TryAllocXenheapPages(order, MemFlags.None, out var va))
                    {
                        xen.Add((va, order));
                    }

                    break;
                case 2 when xen.Count > 0:
                    var (fva, fo) = Take(xen, pick);
                    m.HeapModel.FreeXenheapPages(fva, fo);
                    break;
                case 3 or 4:
                    var owner = kind == 4 ? domain : null;
                    if (m.Domheap.TryAllocPages(owner, order, MemFlags.None, out var mfn))
                    {
                        Assert.NotEqual(0, m.Heap.ZoneOf(mfn));
                        dom.Add((mfn, order, owner));
                    }

                    break;
                case 5 when dom.Count > 0:
                    var (dm, dorder, _) = Take(dom, pick);
                    m.Domheap.FreePages(dm, dorder);
                    break;
                case 6 or 7:
                    // Any RAM page, xenheap or not: Xen maps whatever it is given.
                    var cpu = pick % 3;
                    var page = new Mfn(0x40000 + ((ulong)pick * 7919 % ramPages));
                    var at = m.DomainPages.Map(cpu, page);
                    Assert.Equal(page, m.DomainPages.ToMfn(cpu, at));
                    Assert.Equal(page.ToPhysAddr(), m.Cpus[cpu].Mappings.Translate(at).PhysAddr);
                    maps.Add((cpu, at));
                    break;
                case 8 when maps.Count > 0:
                    var (ucpu, uva) = Take(maps, pick);
                    m.DomainPages.Unmap(ucpu, uva);
                    break;
                case 9:
                    if (globals.Count > 0 && pick % 2 == 0)
                    {
                        m.DomainPages.UnmapGlobal(Take(globals, pick));
                    }
                    else
                    {
                        globals.Add(m.DomainPages.MapGlobal(new Mfn(0x40000 + ((ulong)pick % ramPages))));
                    }

                    break;
            }
        }

        var violations = m.Audit();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
        var census = m.Census();
        Assert.Empty(census.Violations);
        Assert.Equal(census.TotalRamPages, census.Pages.Values.Aggregate(0UL, (s, x) => s + x));
        Assert.Equal((ulong)xen.Sum(x => 1L << x.Order) + 3 * 2 /* CPUs 1 and 2: root + dommap */, census[PageUse.Xenheap]);
    }

    private static T Take<T>(List<T> list, int pick)
    {
        var i = pick % list.Count;
        var item = list[i];
        list.RemoveAt(i);
        return item;
    }
}

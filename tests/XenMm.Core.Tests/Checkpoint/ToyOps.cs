using XenMm.Heap;
using XenMm.Machine;
using XenMm.Tests.Machine.Toy;

namespace XenMm.Tests.Checkpoint;

/// <summary>
/// A seeded mix of every machine operation (domheap, xenheap, vmalloc, map_domain_page, scrubbing, claims, domains,
/// page contents), run one step at a time. Step k's choices depend on the seed and k only, and the live allocations
/// are plain values, so the same steps can continue a machine and its restored copy.
/// </summary>
internal sealed class ToyOps(XenMachine machine, ulong seed)
{
    private readonly List<(int Domain, Mfn Mfn, int Order)> _owned = [];
    private readonly List<(Mfn Mfn, int Order)> _anonymous = [];
    private readonly List<(VirtAddr Va, int Order)> _xen = [];
    private readonly List<VirtAddr> _vm = [];

    public XenMachine Machine { get; } = machine;

    public List<string> Log { get; } = [];

    public static MachineOptions Board() => new()
    {
        Ram = [new MemoryRegion(new PhysAddr(0x8000_0000), 16UL << 20), new MemoryRegion(new PhysAddr(0x8200_0000), 8UL << 20)],
        Reserved = [new MemoryRegion(new PhysAddr(0x8010_0800), 0x3000)],
        Modules = [new BootModule(BootModuleKind.Kernel, new PhysAddr(0x8080_0000), 0x12345)],
        Cpus = 2,
    };

    public static XenMachine Boot()
    {
        var m = new XenMachine(Board(), new ToyArchitecture());
        m.Boot();
        m.CreateDomain(1, 2048);
        m.CreateDomain(2, 1UL << 20);
        return m;
    }

    public ToyOps CloneOnto(XenMachine other)
    {
        var copy = new ToyOps(other, seed);
        copy._owned.AddRange(_owned);
        copy._anonymous.AddRange(_anonymous);
        copy._xen.AddRange(_xen);
        copy._vm.AddRange(_vm);
        return copy;
    }

    public void Run(int from, int to)
    {
        for (var k = from; k < to; k++)
        {
            Step(k);
        }
    }

    public void Step(int k)
    {
        var m = Machine;
        var rng = new Random(unchecked((int)(seed * 0x9E3779B97F4A7C15UL >> 32) ^ (k * 7919)));
        var domains = m.Domains;
        switch (rng.Next(14))
        {
            case 0 or 1:
                {
                    var d = domains[rng.Next(domains.Count)];
                    var order = rng.Next(5);
                    var ok = m.Domheap.TryAllocPages(d, order, rng.Next(4) == 0 ? MemFlags.NoScrub : MemFlags.None, out var mfn);
                    if (ok)
                    {
                        _owned.Add((d.Id, mfn, order));
                    }

                    Log.Add($"{k} dalloc d{d.Id} {order} {ok} {mfn}");
                    break;
                }

            case 2 when _owned.Count > 0:
                {
                    var i = rng.Next(_owned.Count);
                    m.Domheap.FreePages(_owned[i].Mfn, _owned[i].Order);
                    Log.Add($"{k} dfree {_owned[i].Mfn}");
                    _owned.RemoveAt(i);
                    break;
                }

            case 3:
                {
                    var order = rng.Next(4);
                    var ok = m.Domheap.TryAllocPages(null, order, MemFlags.None, out var mfn);
                    if (ok)
                    {
                        _anonymous.Add((mfn, order));
                    }

                    Log.Add($"{k} aalloc {order} {ok} {mfn}");
                    break;
                }

            case 4 when _anonymous.Count > 0:
                {
                    var i = rng.Next(_anonymous.Count);
                    m.Domheap.FreePages(_anonymous[i].Mfn, _anonymous[i].Order);
                    Log.Add($"{k} afree {_anonymous[i].Mfn}");
                    _anonymous.RemoveAt(i);
                    break;
                }

            case 5:
                {
                    var order = rng.Next(3);
                    var ok = m.HeapModel.TryAllocXenheapPages(order, MemFlags.None, out var va);
                    if (ok)
                    {
                        _xen.Add((va, order));
                    }

                    Log.Add($"{k} xalloc {order} {ok} {va}");
                    break;
                }

            case 6 when _xen.Count > 0:
                {
                    var i = rng.Next(_xen.Count);
                    m.HeapModel.FreeXenheapPages(_xen[i].Va, _xen[i].Order);
                    Log.Add($"{k} xfree {_xen[i].Va}");
                    _xen.RemoveAt(i);
                    break;
                }

            case 7:
                if (_vm.Count < 30 && m.Vmap.TryMalloc((ulong)(rng.Next(1, 6) * 4096), out var v))
                {
                    _vm.Add(v);
                    Log.Add($"{k} vmalloc {v}");
                }
                else if (_vm.Count > 0)
                {
                    var i = rng.Next(_vm.Count);
                    m.Vmap.VFree(_vm[i]);
                    Log.Add($"{k} vfree {_vm[i]}");
                    _vm.RemoveAt(i);
                }

                break;

            case 8:
                {
                    var cpu = rng.Next(m.Cpus.Count);
                    var mfn = _owned.Count > 0 ? _owned[rng.Next(_owned.Count)].Mfn : new Mfn(0x80010);
                    var va = m.DomainPages.Map(cpu, mfn);
                    Log.Add($"{k} map {cpu} {mfn} {va} {m.DomainPages.ToMfn(cpu, va)}");
                    m.DomainPages.Unmap(cpu, va);
                    break;
                }

            case 9:
                Log.Add($"{k} scrub {m.Heap.ScrubFreePages(rng.Next(1, 600))} {m.Heap.NodeNeedScrub(0)}");
                break;

            case 10:
                {
                    var d = domains[rng.Next(domains.Count)];
                    var target = rng.Next(3) == 0 ? 0UL : d.TotPages + (ulong)rng.Next(1, 300);
                    try
                    {
                        m.Domheap.SetOutstandingPages(d, target);
                        Log.Add($"{k} claim d{d.Id} {target} ok {m.Heap.OutstandingClaims}");
                    }
                    catch (XenMmException ex)
                    {
                        Log.Add($"{k} claim d{d.Id} {target} {ex.Error}");
                    }

                    break;
                }

            case 11 when domains.Count < 5:
                {
                    var id = domains.Max(d => d.Id) + 1;
                    m.CreateDomain(id, (ulong)rng.Next(16, 4096));
                    Log.Add($"{k} domain {id}");
                    break;
                }

            case 12:
                {
                    var d = domains[rng.Next(domains.Count)];
                    if (rng.Next(4) == 0)
                    {
                        d.IsDying = !d.IsDying;
                    }

                    d.MaxPages = d.TotPages + (ulong)rng.Next(0, 2048);
                    Log.Add($"{k} limits d{d.Id} {d.MaxPages} {d.IsDying}");
                    break;
                }

            default:
                if (_owned.Count > 0)
                {
                    // Page contents matter: scrubbing zeroes them, checkpoints carry them.
                    var (_, mfn, order) = _owned[rng.Next(_owned.Count)];
                    var pa = (mfn + (ulong)rng.Next(1 << order)).ToPhysAddr() + ((ulong)rng.Next(512) * 8);
                    var value = (ulong)rng.NextInt64();
                    m.Memory.WriteU64(pa, value);
                    Log.Add($"{k} write {pa} {value:x}");
                }

                break;
        }
    }
}

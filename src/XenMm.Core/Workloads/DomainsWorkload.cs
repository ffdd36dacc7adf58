using XenMm.Domains;
using XenMm.Heap;

namespace XenMm.Workloads;

/// <summary>
/// A seeded mix of what a running Xen does with memory on a machine: domheap allocations owned by several domains
/// (<c>alloc_domheap_pages(d, order)</c>) and their frees, claims (<c>domain_set_outstanding_pages</c>), xenheap
/// allocations and frees, and <c>map_domain_page</c>/<c>unmap_domain_page</c> on every CPU. Resumable like
/// <see cref="ChurnWorkload"/>; refusals Xen answers with an errno are counted, not thrown.
/// </summary>
public sealed class DomainsWorkload
{
    private const ulong FnvOffset = 0xcbf29ce484222325UL;

    private readonly List<(int Domain, ulong Mfn, int Order)> _owned = [];
    private readonly List<(ulong Va, int Order)> _xenheap = [];
    private ulong _state;

    /// <summary>Starts a mix over <paramref name="domains"/> domains (ids 1..N) of at most <paramref name="maxPages"/> pages each.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for fewer than 1 or more than 64 domains.</exception>
    public DomainsWorkload(ulong seed, int domains = 4, ulong maxPages = 1UL << 14)
    {
        if (domains is < 1 or > 64)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Domains workload: {domains} domains is outside 1..64.");
        }

        Seed = seed;
        DomainCount = domains;
        MaxPages = maxPages;
        _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
        ResultHash = FnvOffset;
    }

    /// <summary>The seed.</summary>
    public ulong Seed { get; }

    /// <summary>The number of domains.</summary>
    public int DomainCount { get; }

    /// <summary>Each domain's <c>max_pages</c>.</summary>
    public ulong MaxPages { get; }

    /// <summary>Operations run so far.</summary>
    public ulong Operations { get; private set; }

    /// <summary>Allocations that returned nothing (Xen: NULL).</summary>
    public ulong Failures { get; private set; }

    /// <summary>Requests refused with an errno (a claim Xen rejects).</summary>
    public ulong Refusals { get; private set; }

    /// <summary>FNV-1a over every result (MFNs, VAs, outcomes).</summary>
    public ulong ResultHash { get; private set; }

    /// <summary>Pages the domains own now.</summary>
    public ulong OwnedPages => _owned.Aggregate(0UL, (s, o) => s + (1UL << o.Order));

    /// <summary>Pages of live xenheap allocations.</summary>
    public ulong XenheapPages => _xenheap.Aggregate(0UL, (s, x) => s + (1UL << x.Order));

    /// <summary>Runs <paramref name="ops"/> more operations on <paramref name="machine"/>, creating its domains the first time.</summary>
    public void Run(XenMachine machine, ulong ops)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var domains = Enumerable.Range(1, DomainCount)
            .Select(id => machine.Domains.FirstOrDefault(d => d.Id == id) ?? machine.CreateDomain(id, MaxPages))
            .ToArray();
        var cpus = machine.Cpus.Count;
        for (ulong op = 0; op < ops; op++)
        {
            var r = Next();
            var pick = r >> 8;
            var arg = r >> 24;
            switch (r % 100)
            {
                case < 35:
                    {
                        var d = domains[(int)(pick % (ulong)domains.Length)];
                        var order = (int)(arg % 5);
                        if (machine.Domheap.TryAllocPages(d, order, MemFlags.None, out var mfn))
                        {
                            _owned.Add((d.Id, mfn.Value, order));
                            Mix(mfn.Value);
                        }
                        else
                        {
                            Failures++;
                            Mix(ulong.MaxValue);
                        }

                        break;
                    }

                case < 60 when _owned.Count > 0:
                    {
                        var i = (int)(pick % (ulong)_owned.Count);
                        machine.Domheap.FreePages(new Mfn(_owned[i].Mfn), _owned[i].Order);
                        _owned[i] = _owned[^1];
                        _owned.RemoveAt(_owned.Count - 1);
                        break;
                    }

                case < 70:
                    {
                        var d = domains[(int)(pick % (ulong)domains.Length)];
                        try
                        {
                            machine.Domheap.SetOutstandingPages(d, arg % (MaxPages / 2 + 1));
                            Mix(d.OutstandingPages);
                        }
                        catch (XenMmException ex) when (ex.Error == MmError.ClaimRejected)
                        {
                            Refusals++;
                            Mix(ulong.MaxValue - 1);
                        }

                        break;
                    }

                case < 80:
                    {
                        var order = (int)(arg % 3);
                        if (machine.HeapModel.TryAllocXenheapPages(order, MemFlags.None, out var va))
                        {
                            _xenheap.Add((va.Value, order));
                            Mix(va.Value);
                        }
                        else
                        {
                            Failures++;
                        }

                        break;
                    }

                case < 88 when _xenheap.Count > 0:
                    {
                        var i = (int)(pick % (ulong)_xenheap.Count);
                        machine.HeapModel.FreeXenheapPages(new VirtAddr(_xenheap[i].Va), _xenheap[i].Order);
                        _xenheap[i] = _xenheap[^1];
                        _xenheap.RemoveAt(_xenheap.Count - 1);
                        break;
                    }

                case >= 88 when _owned.Count > 0:
                    {
                        var block = _owned[(int)(pick % (ulong)_owned.Count)];
                        var mfn = new Mfn(block.Mfn + (arg % (1UL << block.Order)));
                        var cpu = (int)(arg % (ulong)cpus);
                        var va = machine.DomainPages.Map(cpu, mfn);
                        if (machine.DomainPages.ToMfn(cpu, va) != mfn)
                        {
                            throw new XenMmException(MmError.InvalidState, $"map_domain_page({mfn}) on CPU {cpu} gave {va}, which maps back to another frame.");
                        }

                        machine.DomainPages.Unmap(cpu, va);
                        Mix(va.Value);
                        break;
                    }
            }

            Operations++;
        }
    }

    /// <summary>Everything needed to continue exactly.</summary>
    public DomainsWorkloadState GetState() => new(Seed, DomainCount, MaxPages, _state, Operations, Failures, Refusals, ResultHash, [.. _owned], [.. _xenheap]);

    /// <summary>A mix that continues from <paramref name="state"/> (on the machine that holds its domains and pages).</summary>
    public static DomainsWorkload FromState(DomainsWorkloadState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var w = new DomainsWorkload(state.Seed, state.DomainCount, state.MaxPages)
        {
            Operations = state.Operations,
            Failures = state.Failures,
            Refusals = state.Refusals,
            ResultHash = state.ResultHash,
        };
        w._state = state.Generator;
        w._owned.AddRange(state.Owned);
        w._xenheap.AddRange(state.Xenheap);
        return w;
    }

    private ulong Next()
    {
        var x = _state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _state = x;
        return x * 0x2545F4914F6CDD1DUL;
    }

    private void Mix(ulong value) => ResultHash = BuddyHeap.Fnv(ResultHash, value);
}

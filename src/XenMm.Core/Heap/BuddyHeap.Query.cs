using System.Runtime.CompilerServices;
using XenMm.Frames;

namespace XenMm.Heap;

// Counters, list contents and state hashes (read under the heap lock).
public sealed partial class BuddyHeap
{
    private const ulong FnvOffset = 0xcbf29ce484222325UL;
    private const ulong FnvPrime = 0x100000001b3UL;

    /// <summary>Xen's <c>total_avail_pages</c>.</summary>
    public ulong TotalAvailPages
    {
        get
        {
            using (_lock.EnterScope())
            {
                return _total;
            }
        }
    }

    /// <summary>Xen's <c>outstanding_claims</c>: the sum of every domain's claim.</summary>
    public ulong OutstandingClaims
    {
        get
        {
            using (_lock.EnterScope())
            {
                return _outstandingClaims;
            }
        }
    }

    /// <summary>Xen's <c>avail[node][zone]</c>.</summary>
    public ulong Avail(int node, int zone)
    {
        CheckNodeZone(node, zone);
        using (_lock.EnterScope())
        {
            return _avail[(node * _nrZones) + zone];
        }
    }

    /// <summary>Xen's <c>node_avail_pages[node]</c>.</summary>
    public ulong NodeAvail(int node)
    {
        CheckNodeZone(node, 0);
        using (_lock.EnterScope())
        {
            return _nodeAvail[node];
        }
    }

    /// <summary>Xen's <c>node_need_scrub[node]</c>: free pages still carrying PGC_need_scrub.</summary>
    public ulong NodeNeedScrub(int node)
    {
        CheckNodeZone(node, 0);
        using (_lock.EnterScope())
        {
            return _nodeNeedScrub[node];
        }
    }

    /// <summary>
    /// The page's <c>struct page_info</c> read under the heap lock (safe while other threads allocate and
    /// free; <see cref="FrameTable.Get"/> itself takes no lock).
    /// </summary>
    /// <exception cref="XenMmException">The MFN is not valid.</exception>
    public Frames.PageInfo GetPage(Mfn mfn)
    {
        using (_lock.EnterScope())
        {
            return _ft.Get(mfn);
        }
    }

    /// <summary>True once pages were handed to the node's heap (Xen: <c>avail[node]</c> allocated by init_node_heap).</summary>
    public bool NodeHeapInitialised(int node)
    {
        CheckNodeZone(node, 0);
        using (_lock.EnterScope())
        {
            return _nodeInitialised[node];
        }
    }

    /// <summary>Xen's <c>avail_heap_pages(zone_lo, zone_hi, node)</c>; node −1 sums every node.</summary>
    public ulong AvailHeapPages(int zoneLo, int zoneHi, int node = -1)
    {
        ulong sum = 0;
        using (_lock.EnterScope())
        {
            for (int n = 0; n < _nodes; n++)
            {
                if (node >= 0 && n != node)
                {
                    continue;
                }

                for (int z = Math.Max(0, zoneLo); z <= Math.Min(zoneHi, _nrZones - 1); z++)
                {
                    sum += _avail[(n * _nrZones) + z];
                }
            }
        }

        return sum;
    }

    /// <summary>The heads of <c>heap(node, zone, order)</c>, from list head to tail.</summary>
    public IReadOnlyList<Mfn> FreeList(int node, int zone, int order)
    {
        CheckNodeZone(node, zone);
        if ((uint)order > (uint)_maxOrder)
        {
            throw new XenMmException(MmError.InvalidOrder, $"Order {order} is outside 0..{_maxOrder}.");
        }

        var result = new List<Mfn>();
        using (_lock.EnterScope())
        {
            for (uint i = _lists[ListIndex(node, zone, order)].Head; i != PageList.Nil; i = _ft.Hot(i).Next)
            {
                result.Add(new Mfn(_ft.ToMfn(i)));
            }
        }

        return result;
    }

    /// <summary>
    /// Every free chunk, its head and order: the lists <c>heap(node, zone, order)</c> in turn (nodes, then zones,
    /// then orders), each from head to tail, read under one hold of the heap lock.
    /// </summary>
    public IReadOnlyList<(Mfn Head, int Order)> FreeChunks()
    {
        var result = new List<(Mfn, int)>();
        using (_lock.EnterScope())
        {
            for (int li = 0; li < _lists.Length; li++)
            {
                for (uint i = _lists[li].Head; i != PageList.Nil; i = _ft.Hot(i).Next)
                {
                    result.Add((new Mfn(_ft.ToMfn(i)), li % _orders));
                }
            }
        }

        return result;
    }

    /// <summary>Number of free chunks of each order, over every node and zone (index = order).</summary>
    public ulong[] FreeChunkHistogram()
    {
        var hist = new ulong[_orders];
        using (_lock.EnterScope())
        {
            for (int li = 0; li < _lists.Length; li++)
            {
                for (uint i = _lists[li].Head; i != PageList.Nil; i = _ft.Hot(i).Next)
                {
                    hist[li % _orders]++;
                }
            }
        }

        return hist;
    }

    /// <summary>
    /// The native baseline's <c>state_hash</c>: FNV-1a 64 over zone 0..NR_ZONES−1, order 0..MAX_ORDER, each list
    /// head to tail, of <c>zone &lt;&lt; 56 | order &lt;&lt; 48 | mfn</c> (8 little-endian bytes each); nodes in
    /// turn (one node gives exactly the native value).
    /// </summary>
    public ulong StateHash()
    {
        ulong h = FnvOffset;
        using (_lock.EnterScope())
        {
            for (int li = 0; li < _lists.Length; li++)
            {
                ulong zone = (ulong)(li / _orders % _nrZones), order = (ulong)(li % _orders);
                for (uint i = _lists[li].Head; i != PageList.Nil; i = _ft.Hot(i).Next)
                {
                    h = Fnv(h, (zone << 56) | (order << 48) | _ft.ToMfn(i));
                }
            }
        }

        return h;
    }

    // Everything a refused operation must leave untouched: lists with each head's fields, counters, claims,
    // and the frame table's materialised per-page state (free-head bits, cold entries, need_scrub bits).
    internal ulong FullStateHash()
    {
        ulong h = FnvOffset;
        using (_lock.EnterScope())
        {
            for (int li = 0; li < _lists.Length; li++)
            {
                h = Fnv(h, (ulong)li);
                for (uint i = _lists[li].Head; i != PageList.Nil; i = _ft.Hot(i).Next)
                {
                    ref var e = ref _ft.Hot(i);
                    h = Fnv(h, i);
                    h = Fnv(h, ((ulong)e.FirstDirty << 32) | ((ulong)e.Order << 24) | ((ulong)e.Flags << 16) | ((ulong)e.Node << 8) | e.ScrubState);
                }
            }

            foreach (var a in _avail)
            {
                h = Fnv(h, a);
            }

            h = Fnv(Fnv(h, _total), _outstandingClaims);
            for (int n = 0; n < _nodes; n++)
            {
                h = Fnv(Fnv(h, _nodeAvail[n]), _nodeNeedScrub[n]);
            }

            h = _ft.HashMaterialised(h);
        }

        return h;
    }

    // Inlined: the churn loop hashes every returned MFN, and a call with a loop in it cost more than the hashing.
    // The eight byte steps are written out. As a loop (the native runners' fnv1a_u64 is one), the JIT's code held back
    // the memory-bound work around it: a C# port of pt_bench.c's W5 loop took 1.2-1.8 times as long with the hash as a
    // loop as with the steps written out, and written out it ran as fast as pt_bench.c's own loop called in the same
    // process on the same bytes (gcc's loop does not have the problem).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Fnv(ulong h, ulong v)
    {
        h = (h ^ (v & 0xff)) * FnvPrime;
        h = (h ^ ((v >> 8) & 0xff)) * FnvPrime;
        h = (h ^ ((v >> 16) & 0xff)) * FnvPrime;
        h = (h ^ ((v >> 24) & 0xff)) * FnvPrime;
        h = (h ^ ((v >> 32) & 0xff)) * FnvPrime;
        h = (h ^ ((v >> 40) & 0xff)) * FnvPrime;
        h = (h ^ ((v >> 48) & 0xff)) * FnvPrime;
        return (h ^ (v >> 56)) * FnvPrime;
    }

    private void CheckNodeZone(int node, int zone)
    {
        if ((uint)node >= (uint)_nodes || (uint)zone >= (uint)_nrZones)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Node {node} / zone {zone} is outside {_nodes} nodes / {_nrZones} zones.");
        }
    }
}

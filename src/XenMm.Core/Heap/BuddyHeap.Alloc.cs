using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using XenMm.Domains;
using XenMm.Frames;

namespace XenMm.Heap;

// alloc_heap_pages and get_free_buddy (xen/common/page_alloc.c).
public sealed partial class BuddyHeap
{
    /// <summary>
    /// Xen's <c>alloc_heap_pages(zone_lo, zone_hi, order, memflags, NULL)</c>: an anonymous allocation.
    /// Returns false (Xen: NULL) when the order exceeds MAX_ORDER, claims leave too little, or no chunk fits.
    /// </summary>
    /// <exception cref="XenMmException">The zone range is empty or above NR_ZONES − 1 (Xen: ASSERT).</exception>
    public bool TryAlloc(int zoneLo, int zoneHi, int order, MemFlags flags, out Mfn mfn) =>
        TryAlloc(zoneLo, zoneHi, order, flags, null, out mfn);

    /// <summary>
    /// Xen's <c>alloc_heap_pages(zone_lo, zone_hi, order, memflags, d)</c>: searches zones from
    /// <paramref name="zoneHi"/> down to <paramref name="zoneLo"/>, orders upward, takes the list head, splits
    /// keeping the upper half, and consumes the domain's claim (in the 2013 profile too, where Xen 4.4 consumed it in
    /// <c>assign_pages</c>, which this bare allocation never reaches). The pages are not assigned to <paramref name="domain"/>.
    /// </summary>
    /// <exception cref="XenMmException">The zone range is empty or above NR_ZONES − 1 (Xen: ASSERT).</exception>
    public bool TryAlloc(int zoneLo, int zoneHi, int order, MemFlags flags, Domain? domain, out Mfn mfn)
    {
        // Unsigned compares: a negative zone is refused too.
        if ((uint)zoneHi >= (uint)_nrZones || (uint)zoneLo > (uint)zoneHi)
        {
            ThrowBadZoneRange(zoneLo, zoneHi);
        }

        if ((uint)order > (uint)_maxOrder)
        {
            mfn = Mfn.Invalid;
            return false;
        }

        uint idx;
        using (_lock.EnterScope())
        {
            if (!AllocLocked(zoneLo, zoneHi, order, flags, domain, out idx))
            {
                mfn = Mfn.Invalid;
                return false;
            }

            ConsumeUnassignedClaimLocked(domain, order, flags);
        }

        mfn = new Mfn(_ft.ToMfn(idx));
        return true;
    }

    // Out of line so the message formatting stays off the allocation path.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBadZoneRange(int zoneLo, int zoneHi) =>
        throw new XenMmException(MmError.InvalidArgument, $"Zone range {zoneLo}..{zoneHi} is not within 0..{_nrZones - 1}.");

    private bool AllocLocked(int zoneLo, int zoneHi, int order, MemFlags flags, Domain? d, out uint idx)
    {
        ulong request = 1UL << order;

        // Claimed memory is unavailable unless the request is from a domain with enough claim left.
        if (_outstandingClaims + request > _total
            && ((flags.Value & MemFlags.NoRefcount.Value) != 0 || d is null || d.OutstandingPages < request))
        {
            idx = 0;
            return false;
        }

        bool noScrub = (flags.Value & MemFlags.NoScrub.Value) != 0;
        int node, zone;
        if (_nodes == 1 && !_ft.AnyDirtyBits && flags.RequestedNode <= 0)
        {
            // Single node and no dirty chunk anywhere: get_free_buddy reduces to "first non-empty list".
            if (!FindCleanSingleNode(zoneLo, zoneHi, order, out idx, out zone))
            {
                return false;
            }

            node = 0;
        }
        else if (!GetFreeBuddy(zoneLo, zoneHi, order, flags, d, noScrub, out idx, out node, out zone)
            && (noScrub || !GetFreeBuddy(zoneLo, zoneHi, order, flags, d, true, out idx, out node, out zone)))
        {
            return false;
        }

        ref var e = ref _ft.Hot(idx);
        int buddyOrder = e.Order;
        uint firstDirty = e.FirstDirty;
        _ft.ClearFreeHead(idx);

        // Split: the lower half goes back, the search continues in the upper half (xen-mm.md §2.7 step 5).
        while (buddyOrder != order)
        {
            buddyOrder--;
            uint half = 1u << buddyOrder;
            AddChunk(idx, node, zone, buddyOrder, half > firstDirty ? firstDirty : _invalidDirty);
            idx += half;
            if (firstDirty != _invalidDirty)
            {
                firstDirty = firstDirty >= half ? firstDirty - half : 0;
            }
        }

        if ((_avail[(node * _nrZones) + zone] -= request) == 0)
        {
            _zoneMask[node] &= ~(1UL << zone);
        }
        _total -= request;
        _nodeAvail[node] -= request;

        // Xen (current, commit 75d29d9b5e): claims are consumed here, under the heap lock.
        if (d is not null && d.OutstandingPages != 0 && (flags.Value & MemFlags.NoRefcount.Value) == 0
            && Config.Profile == XenProfile.Current)
        {
            ulong used = Math.Min(d.OutstandingPages, request);
            _outstandingClaims -= used;
            d.OutstandingPages -= used;
        }

        if (d is not null)
        {
            d.LastAllocNode = node;
        }

        if (_ft.HasCold)
        {
            InitFreePageFields(idx, (uint)request);
        }

        if (firstDirty != _invalidDirty || _ft.AnyDirtyBits)
        {
            ScrubAllocated(idx, (uint)request, node, flags);
        }

        return true;
    }

    // Xen: init_free_page_fields for pages that carry cold state: type_info = initializer, owner NULL.
    private void InitFreePageFields(uint idx, uint pages)
    {
        ulong init = Config.PageType.Initializer;
        for (uint i = 0; i < pages; i++)
        {
            if (_ft.ColdBlock(idx + i) is { } cold)
            {
                ref var c = ref cold[(idx + i) & Frames.FrameTable.BlockMask];
                c.TypeInfo = init;
                c.Owner = null;
            }
        }
    }

    // The tail of alloc_heap_pages: scrub pages carrying PGC_need_scrub unless MEMF_no_scrub (then clear the
    // bit, or keep it with MEMF_keep_scrub), and take them off node_need_scrub. Done under the lock here.
    private void ScrubAllocated(uint idx, uint pages, int node, MemFlags flags)
    {
        ulong dirty;
        if ((flags.Value & MemFlags.NoScrub.Value) == 0)
        {
            if (Memory is not null)
            {
                for (uint i = 0; i < pages; i++)
                {
                    if (_ft.IsDirty(idx + i))
                    {
                        ScrubOnePage(idx + i);
                    }
                }
            }

            dirty = _ft.SetDirty(idx, pages, false);
        }
        else if ((flags.Value & MemFlags.KeepScrub.Value) != 0)
        {
            dirty = 0;
            for (uint i = 0; i < pages; i++)
            {
                dirty += _ft.IsDirty(idx + i) ? 1UL : 0;
            }
        }
        else
        {
            dirty = _ft.SetDirty(idx, pages, false);
        }

        _nodeNeedScrub[node] -= dirty;
    }

    private void ScrubOnePage(uint idx)
    {
        var mfn = new Mfn(_ft.ToMfn(idx));
        if (Memory is { } mem && !mem.IsPageZero(mfn))
        {
            mem.ZeroPage(mfn);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool FindCleanSingleNode(int zoneLo, int zoneHi, int order, out uint idx, out int foundZone)
    {
        ulong request = 1UL << order;
        var avail = _avail;
        var lists = _lists;
        // Zones high to low as Xen, but only those holding pages: a zone with avail 0 is always skipped, so
        // walking the set bits of the zone mask (at most zoneHi) visits the same zones in the same order.
        ulong zones = _zoneMask[0] & ((2UL << zoneHi) - 1);
        while (zones != 0)
        {
            int zone = 63 - BitOperations.LeadingZeroCount(zones);
            if (zone < zoneLo)
            {
                break;
            }

            zones &= ~(1UL << zone);
            if ((uint)zone >= (uint)avail.Length || avail[zone] < request)
            {
                continue;
            }

            for (int li = (zone * _orders) + order, end = (zone * _orders) + _orders; li < end; li++)
            {
                ref var l = ref lists[li];
                uint h = l.Head;
                if (h == PageList.Nil)
                {
                    continue;
                }

                uint next = _ft.Hot(h).Next;
                l.Head = next;
                if (next != PageList.Nil)
                {
                    _ft.Hot(next).Prev = PageList.Nil;
                }
                else
                {
                    l.Tail = PageList.Nil;
                }

                idx = h;
                foundZone = zone;
                return true;
            }
        }

        idx = 0;
        foundZone = 0;
        return false;
    }

    // get_free_buddy: node by MEMF_node, the domain's next node, or the CPU's (0); zones high to low, skipping
    // zones with too little avail; orders upward; pop the list head; a dirty chunk is taken only for order 0
    // or when unscrubbed pages are acceptable, else it goes back to the tail.
    private bool GetFreeBuddy(int zoneLo, int zoneHi, int order, MemFlags flags, Domain? d, bool useUnscrubbed,
        out uint idx, out int foundNode, out int foundZone)
    {
        ulong request = 1UL << order;
        int requested = flags.RequestedNode;
        int node = requested;
        if (node < 0)
        {
            node = d is not null ? (d.LastAllocNode + 1) % _nodes : 0;
        }
        else if (node >= _nodes)
        {
            idx = 0;
            foundNode = foundZone = 0;
            return false;
        }

        int first = node;
        while (true)
        {
            for (int zone = zoneHi; zone >= zoneLo; zone--)
            {
                if (_avail[(node * _nrZones) + zone] < request)
                {
                    continue;
                }

                int li = ListIndex(node, zone, order);
                for (int j = order; j <= _maxOrder; j++, li++)
                {
                    ref var l = ref _lists[li];
                    uint h = l.Head;
                    if (h == PageList.Nil)
                    {
                        continue;
                    }

                    ref var e = ref _ft.Hot(h);
                    l.Head = e.Next;
                    if (e.Next != PageList.Nil)
                    {
                        _ft.Hot(e.Next).Prev = PageList.Nil;
                    }
                    else
                    {
                        l.Tail = PageList.Nil;
                    }

                    if (e.FirstDirty == _invalidDirty || order == 0 || useUnscrubbed)
                    {
                        // check_and_stop_scrub: idle scrubbing runs under the lock here, so nothing to stop.
                        e.ScrubState = (byte)ScrubState.NotScrubbing;
                        idx = h;
                        foundNode = node;
                        foundZone = zone;
                        return true;
                    }

                    ListAddTail(ref l, h, ref e);
                }
            }

            if ((flags.Value & MemFlags.ExactNode.Value) != 0 && requested >= 0)
            {
                break;
            }

            // Next node in the (all-online) node mask; Xen's retry outside the mask finds no other node.
            node = (node + 1) % _nodes;
            if (node == first)
            {
                break;
            }
        }

        idx = 0;
        foundNode = foundZone = 0;
        return false;
    }
}

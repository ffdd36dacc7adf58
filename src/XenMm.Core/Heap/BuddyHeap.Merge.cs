using System.Runtime.CompilerServices;
using XenMm.Frames;

namespace XenMm.Heap;

// The merge step of free_heap_pages, and init_heap_pages' page-wise loop (xen/common/page_alloc.c).
public sealed partial class BuddyHeap
{
    // free_heap_pages from "merge chunks": merges the free chunk at idx of this order with its exact buddy while it can,
    // then adds the result to heap(node, zone, order) (page_list_add_scrub). Returns the merged chunk's head.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe uint MergeAndAdd(uint idx, int node, int zone, int order, uint firstDirty)
    {
        // Merge with the exact buddy; zone is deliberately not re-checked (Xen: free_heap_pages). A buddy is merged
        // when its tag (order, free-head flag, node) matches in one compare, and mfn_valid is one range compare when
        // every PDX group is valid.
        var ft = _ft;
        HotEntry* hot = ft.HotBase;
        ulong validLo = ft.ValidLoIdx, validSpan = ft.NrIdx - validLo;
        bool allValid = ft.AllGroupsValid;
        ref PageList lists = ref _lists[ListIndex(node, zone, 0)]; // heap(node, zone, 0); the order's list follows at + order
        while (order < _maxOrder)
        {
            uint mask = 1u << order;
            uint buddy = idx ^ mask; // idx is aligned to 2^order: the predecessor or the successor
            if (buddy - validLo >= validSpan || (!allValid && !ft.IsValidIdx(buddy)))
            {
                break;
            }

            HotEntry* be = hot + buddy;
            if ((HotEntry.Tag(be) & HotEntry.MergeMask) != HotEntry.FreeHeadTag(order, node))
            {
                break;
            }

            // Xen: page_list_del(buddy, &heap(node, zone, order)). Current Xen keeps MFN 0 out, so the buddy is
            // always on this zone's list; in 2013 it may be on another zone's (see ListHolding).
            ref var l = ref Unsafe.Add(ref lists, order);
            if (_foreignLists)
            {
                l = ref ListHolding(node, order, buddy, ref *be, ref l);
            }

            ListDel(ref l, buddy, ref *be);
            if (buddy < idx)
            {
                // Predecessor: it becomes the head; its first_dirty stands unless only this half is dirty.
                firstDirty = be->FirstDirty != _invalidDirty ? be->FirstDirty
                    : firstDirty != _invalidDirty ? mask + firstDirty : _invalidDirty;
                idx = buddy;
            }
            else if (firstDirty == _invalidDirty && be->FirstDirty != _invalidDirty)
            {
                firstDirty = mask + be->FirstDirty;
            }

            ft.ClearFreeHead(buddy);
            order++;
        }

        AddChunk(idx, node, zone, order, firstDirty);
        return idx;
    }

    // Xen <= 4.16's init_heap_pages: free_heap_pages(pg + i, 0) for every page of one run (one node, one side of
    // the xenheap edge; the caller validated every page). The loop runs once per run, so it is compiled optimised
    // from the start rather than through on-stack replacement; and since it writes the entry of (nearly) every page,
    // the frame table is backed for the run first (one call, not a fault per page).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FreePageWise(ulong rs, ulong re, bool needScrub)
    {
        const ulong populateFrom = 1024; // below this, faulting the few pages in is cheaper than the call
        uint first = ToIdx(rs);
        if (re - rs >= populateFrom)
        {
            _ft.Populate(first, re - rs);
        }

        // The common case, a boot: one node, no page ever owned or dirty, pages freed clean. Each free then only
        // adds one page to avail and merges, so the counters of each zone's stretch are added at once (nothing reads
        // them under the lock in between) and the pages' indexes run on from the first (a run lies in one bank).
        if (needScrub || _nodes != 1 || _foreignLists || _ft.HasCold || _ft.AnyDirtyBits
            || ToIdx(re - 1) - first != re - 1 - rs)
        {
            for (ulong m = rs; m < re; m++)
            {
                FreeLocked(ToIdx(m), m, 0, needScrub);
            }

            return;
        }

        for (ulong a = rs; a < re;)
        {
            int zone = ZoneOfMfn(a);
            // Zone z > 0 holds MFNs [2^(z-1), 2^z); the xenheap's zone 0 is the whole run (runs stop at its edges).
            ulong b = zone == 0 || zone >= 64 ? re : Math.Min(re, 1UL << zone);
            ulong pages = b - a;
            _avail[zone] += pages;
            _zoneMask[0] |= 1UL << zone;
            _total += pages;
            _nodeAvail[0] += pages;
            _everFreed = true;
            for (uint i = first + (uint)(a - rs), end = i + (uint)pages; i < end; i++)
            {
                MergeAndAdd(i, 0, zone, 0, _invalidDirty);
            }

            a = b;
        }
    }
}

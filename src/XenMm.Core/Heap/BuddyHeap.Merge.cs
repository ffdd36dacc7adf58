using System.Runtime.CompilerServices;
using XenMm.Frames;

namespace XenMm.Heap;

// The merge step of free_heap_pages (xen/common/page_alloc.c).
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
}

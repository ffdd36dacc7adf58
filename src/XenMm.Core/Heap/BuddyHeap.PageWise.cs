using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XenMm.Frames;

namespace XenMm.Heap;

// Xen <= 4.16's init_heap_pages: free_heap_pages(pg + i, 0) for every page of a run (xen/common/page_alloc.c).
public sealed partial class BuddyHeap
{
    // One run (one node, one side of the xenheap edge; the caller validated every page). The loop runs once per
    // run, so it is compiled optimised from the start rather than through on-stack replacement; and since it writes
    // the entry of (nearly) every page, the frame table is backed for the run first (one call, not a fault per page).
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
            uint i = first + (uint)(a - rs);
            FreeRunClean(i, i + (uint)pages, zone);
            a = b;
        }
    }

    // The page-wise frees of [i, end) on node 0 in one zone when no chunk anywhere is dirty and every free goes to a
    // list head (current profile): MergeAndAdd's work with what it re-reads per call held in locals. Below order 6 a
    // chunk and its buddy lie in one 64-page group, so a group's free-head and small-chunk words stay in registers
    // while its pages are freed; a merge that reaches order 6 goes on in MergeAndAdd. Equal to FreeLocked page for
    // page (PageWiseInitTests).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void FreeRunClean(uint i, uint end, int zone)
    {
        HotEntry* hot = _ft.HotBase;
        ulong* heads = _ft.HeadBitsBase, small = _ft.SmallFreeBase;
        ulong validLo = _ft.ValidLoIdx, validSpan = _ft.NrIdx - validLo;
        int smallLimit = Math.Min(6, _maxOrder);
        uint invalidDirty = _invalidDirty;
        ref PageList lists = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_lists), ListIndex(0, zone, 0));
        while (i < end)
        {
            uint w = i >> 6;
            uint groupEnd = Math.Min(end, (w + 1) << 6);
            ulong headWord = heads[w], smallWord = small[w];
            for (; i < groupEnd; i++)
            {
                uint idx = i;
                int order = 0;
                for (; order < smallLimit; order++)
                {
                    uint buddy = idx ^ (1u << order);
                    HotEntry* be = hot + buddy;
                    if (buddy - validLo >= validSpan
                        || (HotEntry.Tag(be) & HotEntry.MergeMask) != HotEntry.FreeHeadTag(order, 0))
                    {
                        break;
                    }

                    // page_list_del(buddy, &heap(0, zone, order)); the buddy stops being a head.
                    ListDel(ref Unsafe.Add(ref lists, order), buddy, ref *be);
                    headWord &= ~(1UL << (int)(buddy & 63));
                    smallWord &= ~FrameTable.SmallChunkMask(buddy, order);
                    be->Flags = 0;
                    idx &= ~(1u << order);
                }

                if (order >= 6)
                {
                    // The chunk fills its group: the rest of the merge reaches other groups' words.
                    heads[w] = headWord;
                    small[w] = smallWord;
                    MergeLarge(idx, zone, order);
                    headWord = heads[w];
                    smallWord = small[w];
                    continue;
                }

                // page_list_add(pg, &heap(0, zone, order)): a clean chunk goes to the head.
                headWord |= 1UL << (int)(idx & 63);
                smallWord |= FrameTable.SmallChunkMask(idx, order);
                HotEntry* e = hot + idx;
                e->FirstDirty = invalidDirty;
                HotEntry.Tag(e) = HotEntry.FreeHeadTag(order, 0);
                ListAddHead(ref Unsafe.Add(ref lists, order), idx, ref *e);
            }

            heads[w] = headWord;
            small[w] = smallWord;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MergeLarge(uint idx, int zone, int order) => MergeAndAdd(idx, 0, zone, order, _invalidDirty);
}

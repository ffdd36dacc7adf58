using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using XenMm.Frames;

namespace XenMm.Heap;

// free_heap_pages and init_heap_pages (xen/common/page_alloc.c).
public sealed partial class BuddyHeap
{
    /// <summary>
    /// Xen's <c>free_heap_pages(pg, order, need_scrub)</c>: the chunk's pages become free, <c>avail</c> grows, and
    /// the chunk merges with its exact buddy while that buddy is a free head of the same order on the same node
    /// (no zone check), then goes to the list head (clean) or tail (dirty).
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidOrder"/> above MAX_ORDER; <see cref="MmError.Misaligned"/> when the MFN is not a
    /// multiple of 2^order; <see cref="MmError.InvalidAddress"/> when a page is outside RAM;
    /// <see cref="MmError.DoubleFree"/> when a page is already free (Xen: BUG in mark_page_free);
    /// <see cref="MmError.InvalidState"/> when a domain owns a page (free it with <c>Domheap.FreePages</c>). The heap is
    /// unchanged when it throws.
    /// </exception>
    public void Free(Mfn mfn, int order, bool needScrub = false)
    {
        using (_lock.EnterScope())
        {
            uint idx = ValidateFreeChunk(mfn, order);
            if (_ft.HasCold && _ft.TryFindOwned(idx, 1u << order, out uint owned))
            {
                ThrowOwnedFree(mfn + (owned - idx));
            }

            FreeLocked(idx, mfn.Value, order, needScrub);
        }
    }

    // Xen's free_heap_pages trusts its callers to have dropped ownership (free_domheap_pages does); a bare free of an
    // owned page would leave the domain's tot_pages counting a free page, so it is refused.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOwnedFree(Mfn mfn) =>
        throw new XenMmException(MmError.InvalidState, $"MFN {mfn} belongs to domain {_ft.ColdOrDefault(ToIdx(mfn.Value)).Owner?.Id}: free_heap_pages would free it behind the domain's accounting; free it through the domheap (Xen: free_domheap_pages).");

    /// <summary>
    /// Xen's <c>init_heap_pages</c>: hands <c>[start, start + pages)</c> to the buddy allocator, split into runs of
    /// one node (and one side of the xenheap boundary), each freed chunked (current Xen) or page by page (≤ 4.16,
    /// the 2013 profile). The current profile drops MFN 0 ("keep MFN 0 away from the buddy allocator", Xen 4.13);
    /// the 2013 profile frees it like any page, as Xen 4.4 did, so the chunk holding it merges across zones.
    /// </summary>
    /// <exception cref="XenMmException">
    /// A page is outside RAM or already free; <see cref="MmError.InvalidState"/> when a page belongs to a domain
    /// (it goes back through the domheap, which keeps the domain's accounting). The heap is then unchanged.
    /// </exception>
    public void InitHeapPages(Mfn start, ulong pages, HeapInitMode mode = HeapInitMode.ProfileDefault, bool needScrub = false)
    {
        if (pages == 0)
        {
            return;
        }

        if (mode == HeapInitMode.ProfileDefault)
        {
            mode = Config.Profile == XenProfile.Xen2013 ? HeapInitMode.PageWise : HeapInitMode.Chunked;
        }

        using (_lock.EnterScope())
        {
            ulong s = start.Value;
            // Xen (4.13+, 762b9a2d99): init_heap_pages drops MFN 0 so no merge crosses a zone boundary. Xen 4.4
            // freed MFN 0 like any other page, and its merges cross zones (free_heap_pages).
            if (s == 0 && !_foreignLists)
            {
                if (pages-- <= 1)
                {
                    return;
                }

                s++;
            }

            ulong e = s + pages;
            if (e < s || !_ft.IsRamRange(new Mfn(s), pages))
            {
                throw new XenMmException(MmError.InvalidAddress, $"Range [{new Mfn(s)}, {new Mfn(e)}) is not inside one RAM bank.");
            }

            // Validate every chunk first so a refused range leaves the heap as it was.
            if (_xenHi != _xenLo && (Straddles(s, e, _xenLo) || Straddles(s, e, _xenHi)))
            {
                ThrowNoXenheapBuffer(new Mfn(s), new Mfn(e));
            }

            ForEachChunk(s, e, (mfn, order) =>
            {
                uint idx = ValidateFreeChunk(new Mfn(mfn), order);
                if (_ft.HasCold && _ft.TryFindOwned(idx, 1u << order, out uint owned))
                {
                    ThrowOwned(mfn + (owned - idx));
                }
            });

            foreach (var (rs, re) in Runs(s, e))
            {
                _nodeInitialised[_ft.NodeOfMfn(rs)] = true;
                if (mode == HeapInitMode.Chunked)
                {
                    ForEachChunk(rs, re, (mfn, order) => FreeLocked(ToIdx(mfn), mfn, order, needScrub));
                }
                else
                {
                    FreePageWise(rs, re, needScrub);
                }
            }
        }
    }

    private uint ToIdx(ulong mfn)
    {
        _ft.TryToIdx(mfn, out uint idx);
        return idx;
    }

    // _init_heap_pages' loop: the largest naturally aligned chunk at s that fits, capped at MAX_ORDER.
    private void ForEachChunk(ulong s, ulong e, Action<ulong, int> free)
    {
        while (s < e)
        {
            int inc = Math.Min(_maxOrder, 63 - BitOperations.LeadingZeroCount(e - s));
            if (s != 0)
            {
                inc = Math.Min(inc, BitOperations.TrailingZeroCount(s));
            }

            free(s, inc);
            s += 1UL << inc;
        }
    }

    // Xen's init_heap_pages splits the range where the node changes, and (separate xenheap) where the zone
    // does; power-of-two zone edges never cut a chunk, so only node and xenheap edges matter.
    private List<(ulong Start, ulong End)> Runs(ulong s, ulong e)
    {
        var cuts = new SortedSet<ulong> { s, e };
        foreach (var b in _ft.NodeBoundaries().Append(_xenLo).Append(_xenHi))
        {
            if (b > s && b < e)
            {
                cuts.Add(b);
            }
        }

        var list = cuts.ToList();
        var runs = new List<(ulong, ulong)>(list.Count - 1);
        for (int i = 0; i + 1 < list.Count; i++)
        {
            runs.Add((list[i], list[i + 1]));
        }

        return runs;
    }

    // ValidateFree plus the rules that keep merges inside a zone (Xen relies on its callers for both):
    // MFN 0 never enters the buddy allocator (init_heap_pages; current Xen only: Xen 4.4 freed it and merged across
    // zones, which the 2013 profile reproduces), and no page is freed next to a free page across
    // the address-based xenheap's edge (init_xenheap_pages keeps a one-page buffer on each side), nor is a chunk
    // that straddles that edge (it would be one free chunk in two zones).
    private uint ValidateFreeChunk(Mfn mfn, int order)
    {
        uint idx = ValidateFree(mfn, order);
        if (mfn.Value == 0 && !_tailOnFree)
        {
            ThrowMfnZero(order);
        }

        if (_xenHi != _xenLo && GuardXenheapEdges)
        {
            CheckXenheapEdges(mfn.Value, mfn.Value + (1UL << order));
        }

        return idx;
    }

    // Test-only: false lets a free next to the xenheap's edge through, so a test can show the cross-zone merge that
    // init_xenheap_pages' buffer pages prevent and the audit reporting it (Xen has no such check).
    internal bool GuardXenheapEdges { get; set; } = true;

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOwned(ulong mfn) =>
        throw new XenMmException(MmError.InvalidState, $"MFN {new Mfn(mfn)} belongs to domain {_ft.ColdOrDefault(ToIdx(mfn)).Owner?.Id}: init_heap_pages would free it behind the domain's accounting; free it through the domheap (Xen: free_domheap_pages).");

    private static bool Straddles(ulong s, ulong e, ulong edge) => edge != 0 && s < edge && edge < e;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CheckXenheapEdges(ulong s, ulong e)
    {
        foreach (ulong edge in (ReadOnlySpan<ulong>)[_xenLo, _xenHi])
        {
            if (edge == 0)
            {
                continue;
            }

            // The chunk straddles the edge (its pages are in two zones: the edge moved while it was allocated), or
            // ends at the edge and the page above is free, or starts at it and the page below is free.
            if (Straddles(s, e, edge) || (e == edge && IsFreePage(edge)) || (s == edge && IsFreePage(edge - 1)))
            {
                ThrowNoXenheapBuffer(new Mfn(s), new Mfn(e));
            }
        }
    }

    private bool IsFreePage(ulong mfn) => _ft.TryToIdx(mfn, out uint idx) && _ft.TryFindChunk(idx, _maxOrder, out _, out _);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMfnZero(int order) =>
        throw new XenMmException(MmError.InvalidAddress, $"MFN 0 (order {order}) is kept out of the buddy allocator (Xen: init_heap_pages); freeing it would merge across zones.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNoXenheapBuffer(Mfn s, Mfn e) =>
        throw new XenMmException(MmError.InvalidArgument, $"Freeing [{s}, {e}) would put free pages on both sides of the xenheap edge of [{new Mfn(_xenLo)}, {new Mfn(_xenHi)}) with no one-page buffer between them (Xen: init_xenheap_pages); their chunks would merge across zones.");

    private uint ValidateFree(Mfn mfn, int order)
    {
        if ((uint)order > (uint)_maxOrder)
        {
            ThrowInvalidOrder(mfn, order);
        }

        ulong pages = 1UL << order;
        if ((mfn.Value & (pages - 1)) != 0)
        {
            ThrowMisaligned(mfn, order);
        }

        if (!_ft.TryToRamIdx(mfn.Value, pages, out uint idx))
        {
            ThrowNotRam(mfn, order);
        }

        if (_ft.RangeOverlapsFree(idx, order, _maxOrder))
        {
            ThrowDoubleFree(mfn, order);
        }

        return idx;
    }

    // The throws of ValidateFree, kept out of line: the message formatting would otherwise bloat the free path
    // that runs on every Free (and keep it from being inlined).
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowInvalidOrder(Mfn mfn, int order) =>
        throw new XenMmException(MmError.InvalidOrder, $"Order {order} for MFN {mfn} is outside 0..MAX_ORDER ({_maxOrder}).");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMisaligned(Mfn mfn, int order) =>
        throw new XenMmException(MmError.Misaligned, $"MFN {mfn} is not aligned to order {order} ({1UL << order} pages).");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotRam(Mfn mfn, int order) =>
        throw new XenMmException(MmError.InvalidAddress, $"MFN {mfn} (order {order}) is not inside RAM.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDoubleFree(Mfn mfn, int order) =>
        throw new XenMmException(MmError.DoubleFree, $"MFN {mfn} (order {order}) overlaps a free chunk: a page is not in use.");

    private void FreeLocked(uint idx, ulong mfn, int order, bool needScrub)
    {
        int zone = ZoneOfMfn(mfn);
        int node = _nodes == 1 ? 0 : _ft.NodeOfMfn(mfn);
        uint pages = 1u << order;

        // mark_page_free: owner cleared (need_tlbflush if there was one), PGC_need_scrub set or cleared.
        bool tlb = _ft.HasCold && _ft.ResetCold(idx, pages);
        if (needScrub && _tailOnFree)
        {
            // [2013] no lazy scrubbing: scrub now, free clean.
            for (uint i = 0; i < pages; i++)
            {
                ScrubOnePage(idx + i);
            }

            needScrub = false;
        }

        if (needScrub || _ft.AnyDirtyBits)
        {
            _ft.SetDirty(idx, pages, needScrub);
        }

        _avail[(node * _nrZones) + zone] += pages;
        _zoneMask[node] |= 1UL << zone;
        _total += pages;
        _everFreed = true;
        _nodeAvail[node] += pages;
        uint firstDirty = _invalidDirty;
        if (needScrub)
        {
            _nodeNeedScrub[node] += pages;
            firstDirty = 0;
        }

        idx = MergeAndAdd(idx, node, zone, order, firstDirty);
        if (tlb)
        {
            _ft.Hot(idx).Flags |= HotEntry.NeedTlbflushFlag;
        }
    }
}

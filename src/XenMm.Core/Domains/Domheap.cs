using XenMm.Frames;
using XenMm.Heap;

namespace XenMm.Domains;

/// <summary>
/// The domain heap part common to both xenheap models (xen/common/page_alloc.c): <c>alloc_domheap_pages</c>,
/// <c>free_domheap_pages</c>, <c>assign_pages</c>, <c>domain_set_outstanding_pages</c> and
/// <c>avail_domheap_pages</c>, over one <see cref="BuddyHeap"/>. Every operation runs under the heap lock.
/// </summary>
public sealed class Domheap
{
    /// <summary>Creates the domheap view of <paramref name="heap"/>.</summary>
    public Domheap(BuddyHeap heap)
    {
        Heap = heap ?? throw new ArgumentNullException(nameof(heap));
    }

    /// <summary>The buddy heap underneath.</summary>
    public BuddyHeap Heap { get; }

    /// <summary>
    /// Xen's <c>alloc_domheap_pages(d, order, memflags)</c>: zones 1 … min(bits_to_zone(MEMF_bits or
    /// BITS_PER_LONG + PAGE_SHIFT), NR_ZONES − 1), never zone 0; then, for a domain and unless MEMF_no_owner,
    /// <c>assign_pages</c> (PGC_extra with MEMF_no_refcount). Returns false (Xen: NULL) when nothing fits or the
    /// assignment is refused (the pages go back to the heap).
    /// </summary>
    public bool TryAllocPages(Domain? domain, int order, MemFlags flags, out Mfn mfn)
    {
        var cfg = Heap.Config;
        if (domain is not null && cfg.PageCount.Extra == 0
            && (flags.Value & (MemFlags.NoRefcount.Value | MemFlags.NoOwner.Value)) == MemFlags.NoRefcount.Value)
        {
            // [2013] no PGC_extra: the pages would be owned but not counted, and free_domheap_pages would
            // still take them off tot_pages.
            ThrowUncountedOwner(domain);
        }

        int bits = flags.AddressBits != 0 ? flags.AddressBits : cfg.BitsPerLong + Addressing.PageShift;
        int zoneHi = Math.Min(BuddyHeap.BitsToZone(bits), cfg.NrZones - 1);
        if ((flags.Value & MemFlags.NoOwner.Value) != 0)
        {
            flags |= MemFlags.NoRefcount;
        }

        // dma_bitsize is 0 on ARM, so MEMF_no_dma is dropped and zones 1..zone_hi are searched.
        flags = flags.Without(MemFlags.NoDma);
        using (Heap.Lock())
        {
            if (!Heap.AllocUnlocked(1, zoneHi, order, flags, domain, out mfn))
            {
                return false;
            }

            if (domain is null || (flags.Value & MemFlags.NoOwner.Value) != 0)
            {
                return true;
            }

            ulong pages = 1UL << order;
            var ft = Heap.FrameTable;
            ft.TryToIdx(mfn.Value, out uint idx);
            if ((flags.Value & MemFlags.NoRefcount.Value) != 0)
            {
                for (uint i = 0; i < pages; i++)
                {
                    ft.Cold(idx + i).CountInfo = cfg.PageCount.Extra;
                }
            }

            if ((flags.Value & MemFlags.KeepScrub.Value) != 0)
            {
                Heap.ConsumeUnassignedClaimLocked(domain, order, flags);
                return true;
            }

            if (TryAssignLocked(idx, pages, domain, flags) is null)
            {
                return true;
            }

            // assign_pages failed: Xen frees the pages (dirty unless they were scrubbed) and returns NULL.
            Heap.FreeUnlocked(idx, mfn, order, (flags.Value & MemFlags.NoScrub.Value) != 0);
            mfn = Mfn.Invalid;
            return false;
        }
    }

    /// <summary>
    /// Xen's <c>assign_pages(pg, nr, d, memflags)</c>: gives in-use, unowned pages to <paramref name="domain"/>
    /// (owner set, <c>count_info = preserved | PGC_allocated | 1</c>) and raises <c>tot_pages</c> (or
    /// <c>extra_pages</c> for PGC_extra pages).
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidState"/> for a dying domain or an owned page, <see cref="MmError.LimitExceeded"/>
    /// beyond max_pages (Xen: -E2BIG / -EPERM), <see cref="MmError.NotAllocated"/> for free pages,
    /// <see cref="MmError.InvalidAddress"/> outside RAM. Nothing changes when it throws.
    /// </exception>
    public void AssignPages(Mfn mfn, ulong pages, Domain domain, MemFlags flags = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        using (Heap.Lock())
        {
            var ft = Heap.FrameTable;
            if (pages == 0 || !ft.IsRamRange(mfn, pages) || !ft.TryToIdx(mfn.Value, out uint idx))
            {
                throw new XenMmException(MmError.InvalidAddress, $"Range of {pages} pages at MFN {mfn} is not inside RAM.");
            }

            var pc = Heap.Config.PageCount;
            ulong extra = 0;
            for (ulong i = 0; i < pages; i++)
            {
                extra += pc.Extra != 0 && (ft.ColdOrDefault(idx + (uint)i).CountInfo & pc.Extra) != 0 ? 1UL : 0;
                if (ft.TryFindChunk(idx + (uint)i, Heap.MaxOrder, out _, out _))
                {
                    throw new XenMmException(MmError.NotAllocated, $"MFN {mfn + i} is free; only allocated pages can be assigned.");
                }

                if (ft.ColdOrDefault(idx + (uint)i).Owner is { } owner)
                {
                    throw new XenMmException(MmError.InvalidState, $"MFN {mfn + i} is already owned by domain {owner.Id}.");
                }
            }

            // Xen ASSERTs that PGC_extra pages come all together with MEMF_no_refcount. XenMm also refuses
            // MEMF_no_refcount for pages without PGC_extra: they would be owned but not counted in tot_pages,
            // and free_domheap_pages would take them off it anyway.
            bool noRefcount = (flags.Value & MemFlags.NoRefcount.Value) != 0;
            if (extra != 0 ? extra != pages || !noRefcount : noRefcount)
            {
                throw new XenMmException(MmError.InvalidFlags, $"Assigning {pages} pages at MFN {mfn} ({extra} with PGC_extra) with{(noRefcount ? "" : "out")} MEMF_no_refcount: PGC_extra pages and MEMF_no_refcount go together (Xen: ASSERT in assign_pages).");
            }

            if (TryAssignLocked(idx, pages, domain, flags) is { } error)
            {
                throw error;
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowUncountedOwner(Domain domain) =>
        throw new XenMmException(MmError.InvalidFlags, $"MEMF_no_refcount for domain {domain.Id} without PGC_extra (2013 profile) would own pages outside tot_pages; pass MEMF_no_owner or no flag.");

    private XenMmException? TryAssignLocked(uint idx, ulong nr, Domain d, MemFlags flags)
    {
        var ft = Heap.FrameTable;
        var pc = Heap.Config.PageCount;
        if (d.IsDying)
        {
            return new XenMmException(MmError.InvalidState, $"Domain {d.Id} is dying; assign_pages refuses it (Xen: -EINVAL).");
        }

        bool extra = (ft.ColdOrDefault(idx).CountInfo & pc.Extra) != 0 && pc.Extra != 0;
        bool refcount = !extra && (flags.Value & MemFlags.NoRefcount.Value) == 0;
        if (refcount)
        {
            if (d.TotPages > d.MaxPages)
            {
                return new XenMmException(MmError.LimitExceeded, $"Domain {d.Id} is over its limit (tot_pages {d.TotPages} > max_pages {d.MaxPages}; Xen: -EPERM).");
            }

            if (nr > d.MaxPages - d.TotPages)
            {
                return new XenMmException(MmError.LimitExceeded, $"Assigning {nr} pages to domain {d.Id} exceeds max_pages {d.MaxPages} (tot_pages {d.TotPages}; Xen: -E2BIG).");
            }
        }

        if (extra)
        {
            d.ExtraPages += nr;
        }
        else if (refcount)
        {
            Heap.AdjustTotPagesLocked(d, (long)nr);
        }

        for (uint i = 0; i < nr; i++)
        {
            ref var c = ref ft.Cold(idx + i);
            c.Owner = d;
            c.CountInfo = (c.CountInfo & pc.Preserved) | pc.Allocated | 1;
        }

        return null;
    }

    /// <summary>
    /// Xen's <c>free_domheap_pages(pg, order)</c>: an owned chunk leaves its domain (tot_pages or extra_pages
    /// drop) and is freed, scrubbed when the domain is dying; an anonymous chunk is freed with scrubbing.
    /// </summary>
    /// <exception cref="XenMmException">
    /// As <see cref="BuddyHeap.Free"/>, plus <see cref="MmError.InvalidArgument"/> when the chunk's pages have
    /// different owners. Nothing changes when it throws.
    /// </exception>
    public void FreePages(Mfn mfn, int order)
    {
        using (Heap.Lock())
        {
            uint idx = Heap.ValidateInUse(mfn, order);
            var ft = Heap.FrameTable;
            var owner = ft.ColdOrDefault(idx).Owner;
            ulong pages = 1UL << order;
            bool extra = (ft.ColdOrDefault(idx).CountInfo & Heap.Config.PageCount.Extra) != 0 && Heap.Config.PageCount.Extra != 0;
            if (ft.HasCold)
            {
                for (uint i = 1; i < pages; i++)
                {
                    if (!ReferenceEquals(ft.ColdOrDefault(idx + i).Owner, owner))
                    {
                        throw new XenMmException(MmError.InvalidArgument, $"MFN {mfn} (order {order}) mixes owners; free_domheap_pages frees one owner's chunk.");
                    }
                }
            }

            bool scrub = true;
            if (owner is not null)
            {
                if (extra)
                {
                    owner.ExtraPages -= pages;
                }
                else
                {
                    Heap.AdjustTotPagesLocked(owner, -(long)pages);
                }

                scrub = owner.IsDying;
            }

            Heap.FreeUnlocked(idx, mfn, order, scrub);
        }
    }

    /// <summary>
    /// Xen's <c>domain_set_outstanding_pages(d, pages)</c>: 0 cancels the claim; otherwise the domain may hold one
    /// claim, to a target in (tot_pages, max_pages], of at most the unclaimed free pages.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.ClaimRejected"/> when a rule is broken; nothing changes.</exception>
    public void SetOutstandingPages(Domain domain, ulong pages)
    {
        ArgumentNullException.ThrowIfNull(domain);
        using (Heap.Lock())
        {
            Heap.SetOutstandingLocked(domain, pages);
        }
    }

    /// <summary>
    /// How many anonymous order-0 <see cref="TryAllocPages"/> calls (no domain, no flags) would succeed one after
    /// another: the domheap zones' free pages, within what claims leave unclaimed.
    /// </summary>
    public ulong AvailableAnonymousPages()
    {
        using (Heap.Lock())
        {
            return Heap.AvailableAnonymousLocked();
        }
    }

    /// <summary>Xen's <c>avail_domheap_pages()</c>: free pages in zones 1 … NR_ZONES − 1 on every node.</summary>
    public ulong AvailDomheapPages() => Heap.AvailHeapPages(1, Heap.NrZones - 1);
}

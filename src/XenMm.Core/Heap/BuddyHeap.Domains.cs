using XenMm.Domains;
using XenMm.Frames;

namespace XenMm.Heap;

// The domain-facing parts of page_alloc.c that need the heap lock: assign_pages, free_domheap_pages'
// accounting, domain_set_outstanding_pages. Reached through Domheap.
public sealed partial class BuddyHeap
{
    internal XenSpinlock.Scope Lock() => _lock.EnterScope();

    internal uint ValidateInUse(Mfn mfn, int order) => ValidateFreeChunk(mfn, order);

    internal void FreeUnlocked(uint idx, Mfn mfn, int order, bool needScrub) => FreeLocked(idx, mfn.Value, order, needScrub);

    internal bool AllocUnlocked(int zoneLo, int zoneHi, int order, MemFlags flags, Domain? d, out Mfn mfn)
    {
        if ((uint)order > (uint)_maxOrder || !AllocLocked(zoneLo, zoneHi, order, flags, d, out uint idx))
        {
            mfn = Mfn.Invalid;
            return false;
        }

        mfn = new Mfn(_ft.ToMfn(idx));
        return true;
    }

    // [2013] Xen 4.4 consumed claims in domain_adjust_tot_pages (assign_pages). An allocation for a domain that is not
    // assigned afterwards (a bare alloc_heap_pages, MEMF_keep_scrub) may still have drawn on the claim: consume what it
    // drew, or the claim outlives the pages and outstanding_claims exceeds total_avail_pages. The current profile
    // consumed it in AllocLocked already.
    internal void ConsumeUnassignedClaimLocked(Domain? d, int order, MemFlags flags)
    {
        if (d is not null && d.OutstandingPages != 0 && (flags.Value & MemFlags.NoRefcount.Value) == 0
            && Config.Profile == XenProfile.Xen2013)
        {
            ulong used = Math.Min(d.OutstandingPages, 1UL << order);
            _outstandingClaims -= used;
            d.OutstandingPages -= used;
        }
    }

    internal ulong AvailableAnonymousLocked()
    {
        ulong zones = 0;
        for (int node = 0; node < _nodes; node++)
        {
            for (int zone = 1; zone < _nrZones; zone++)
            {
                zones += _avail[(node * _nrZones) + zone];
            }
        }

        return Math.Min(zones, _total - Math.Min(_total, _outstandingClaims));
    }

    // domain_set_outstanding_pages (xen/common/page_alloc.c), under the heap lock.
    internal void SetOutstandingLocked(Domain d, ulong pages)
    {
        if (pages == 0)
        {
            _outstandingClaims -= d.OutstandingPages;
            d.OutstandingPages = 0;
            return;
        }

        if (d.OutstandingPages != 0)
        {
            throw new XenMmException(MmError.ClaimRejected, $"Domain {d.Id} already has a claim of {d.OutstandingPages} pages; cancel it (0) before claiming {pages} (Xen: -EINVAL).");
        }

        if (pages <= d.TotPages || pages > d.MaxPages)
        {
            throw new XenMmException(MmError.ClaimRejected, $"Claim target {pages} pages for domain {d.Id} is not within (tot_pages {d.TotPages}, max_pages {d.MaxPages}] (Xen: -EINVAL).");
        }

        ulong claim = pages - d.TotPages;
        ulong free = _total - _outstandingClaims;
        if (claim > free)
        {
            throw new XenMmException(MmError.ClaimRejected, $"Claim of {claim} pages for domain {d.Id} exceeds the {free} unclaimed free pages (Xen: -ENOMEM).");
        }

        d.OutstandingPages = claim;
        _outstandingClaims += claim;
    }

    // domain_adjust_tot_pages: [2013] consumed claims as tot_pages grew.
    internal void AdjustTotPagesLocked(Domain d, long delta)
    {
        d.TotPages = (ulong)((long)d.TotPages + delta);
        if (Config.Profile == XenProfile.Xen2013 && delta > 0 && d.OutstandingPages != 0)
        {
            ulong used = Math.Min(d.OutstandingPages, (ulong)delta);
            d.OutstandingPages -= used;
            _outstandingClaims -= used;
        }
    }

}

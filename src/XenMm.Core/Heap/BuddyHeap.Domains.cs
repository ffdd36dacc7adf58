using XenMm.Domains;
using XenMm.Frames;

namespace XenMm.Heap;

// The domain-facing parts of page_alloc.c that need the heap lock: assign_pages, free_domheap_pages'
// accounting, domain_set_outstanding_pages. Reached through Domheap.
public sealed partial class BuddyHeap
{
    internal HeapLock.Scope Lock() => _lock.EnterScope();

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

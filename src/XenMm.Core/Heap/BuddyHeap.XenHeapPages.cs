namespace XenMm.Heap;

// The pages carrying PGC_xen_heap, for the unified (arm64) heap model's audit.
public sealed partial class BuddyHeap
{
    /// <summary>
    /// The in-use pages whose <c>count_info</c> carries <c>PGC_xen_heap</c>, as runs of adjacent MFNs in address
    /// order: what a unified heap model (arm64, flag-based <c>is_xen_heap_page</c>) compares with its live
    /// <c>alloc_xenheap_pages</c> blocks. Reads only pages that hold per-page state, so it is cheap on a large heap.
    /// </summary>
    public IReadOnlyList<MfnRange> XenHeapFlagRuns()
    {
        var runs = new List<MfnRange>();
        ulong flag = Config.PageCount.XenHeap;
        using (_lock.EnterScope())
        {
            ulong start = 0, end = 0;
            foreach (var (idx, entry) in _ft.ColdEntries())
            {
                if ((entry.CountInfo & flag) == 0)
                {
                    continue;
                }

                ulong mfn = _ft.ToMfn(idx);
                if (mfn != end || end == 0)
                {
                    if (end != 0)
                    {
                        runs.Add(MfnRange.FromBounds(new Mfn(start), new Mfn(end)));
                    }

                    start = mfn;
                }

                end = mfn + 1;
            }

            if (end != 0)
            {
                runs.Add(MfnRange.FromBounds(new Mfn(start), new Mfn(end)));
            }
        }

        return runs;
    }
}

using System.Numerics;

namespace XenMm.Frames;

// Per-page views, cold entries (count_info, type_info, owner) and the PGC_need_scrub bits.
public sealed partial class FrameTable
{
    /// <summary>
    /// The page's <c>struct page_info</c> as Xen would show it (free pages answered from their chunk). Takes no
    /// lock: while other threads use the heap, read through <see cref="Heap.BuddyHeap.GetPage"/>.
    /// </summary>
    /// <exception cref="XenMmException">The MFN is not <see cref="MfnValid"/>.</exception>
    public PageInfo Get(Mfn mfn)
    {
        if (!TryToIdx(mfn.Value, out uint idx))
        {
            throw new XenMmException(MmError.InvalidAddress, $"MFN {mfn} has no frame-table entry (mfn_valid is false).");
        }

        var pc = Config.PageCount;
        ulong dirty = IsDirty(idx) ? pc.NeedScrub : 0;
        if (TryFindChunk(idx, Config.MaxOrder, out uint head, out _))
        {
            ref var h = ref Hot(head);
            return new PageInfo
            {
                Mfn = mfn,
                CountInfo = pc.StateFree | dirty,
                IsFree = true,
                IsFreeHead = head == idx,
                Order = head == idx ? h.Order : 0,
                FirstDirty = head == idx ? h.FirstDirty : 0,
                NeedTlbflush = head == idx && (h.Flags & HotEntry.NeedTlbflushFlag) != 0,
                ScrubState = head == idx ? (ScrubState)h.ScrubState : ScrubState.NotScrubbing,
                Node = NodeOfMfn(mfn.Value),
            };
        }

        var c = ColdOrDefault(idx);
        return new PageInfo
        {
            Mfn = mfn,
            CountInfo = c.CountInfo | dirty,
            TypeInfo = c.TypeInfo,
            OwnerId = c.Owner?.Id,
            Node = NodeOfMfn(mfn.Value),
        };
    }

    // Read on every alloc and free: a plain read (Interlocked.Read would be a locked cmpxchg); written under the heap lock.
    internal bool HasCold => _coldBlocks != 0;

    internal ref ColdEntry Cold(uint idx)
    {
        ref var block = ref _cold[idx >> BlockShift];
        if (block is null)
        {
            block = new ColdEntry[BlockSize];
            Interlocked.Increment(ref _coldBlocks);
        }

        return ref block[idx & BlockMask];
    }

    internal ColdEntry[]? ColdBlock(uint idx) => _cold[idx >> BlockShift];

    internal ColdEntry ColdOrDefault(uint idx)
    {
        var cold = _cold[idx >> BlockShift];
        return cold is null ? default : cold[idx & BlockMask];
    }

    // The first page of [idx, idx + pages) that a domain owns, or false: init_heap_pages must not take a domain's
    // pages behind its accounting (they go back through free_domheap_pages).
    internal bool TryFindOwned(uint idx, uint pages, out uint owned)
    {
        for (uint i = idx, end = idx + pages; i < end;)
        {
            uint stop = Math.Min(end, (i | BlockMask) + 1);
            if (_cold[i >> BlockShift] is { } cold)
            {
                for (uint j = i; j < stop; j++)
                {
                    if (cold[j & BlockMask].Owner is not null)
                    {
                        owned = j;
                        return true;
                    }
                }
            }

            i = stop;
        }

        owned = 0;
        return false;
    }

    // mark_page_free's per-page part for pages that have cold state: owner cleared, count_info and type_info
    // reset (u.free overlays type_info). Returns true when any page had an owner (Xen: need_tlbflush).
    internal bool ResetCold(uint idx, uint pages)
    {
        bool owned = false;
        for (uint i = idx, end = idx + pages; i < end;)
        {
            uint stop = Math.Min(end, (i | BlockMask) + 1);
            if (_cold[i >> BlockShift] is { } cold)
            {
                for (uint j = i; j < stop; j++)
                {
                    ref var c = ref cold[j & BlockMask];
                    owned |= c.Owner is not null;
                    c = default;
                }
            }

            i = stop;
        }

        return owned;
    }

    internal bool IsDirty(uint idx)
    {
        var d = _dirty[idx >> BlockShift];
        return d is not null && (d[(idx & BlockMask) >> 6] & (1UL << (int)(idx & 63))) != 0;
    }

    internal bool AnyDirtyBits { get; private set; }

    // Sets (value true) or clears PGC_need_scrub on [idx, idx + pages); returns how many bits changed.
    internal ulong SetDirty(uint idx, uint pages, bool value)
    {
        if (value)
        {
            AnyDirtyBits = true;
        }
        else if (!AnyDirtyBits)
        {
            return 0;
        }

        ulong changed = 0;
        for (uint i = idx, end = idx + pages; i < end;)
        {
            uint stop = Math.Min(end, (i | BlockMask) + 1);
            ref var block = ref _dirty[i >> BlockShift];
            if (value || block is not null)
            {
                var d = block ??= new ulong[BlockSize / 64];
                for (uint j = i; j < stop;)
                {
                    int off = (int)(j & 63);
                    int n = (int)Math.Min(64 - off, stop - j);
                    ulong mask = (n == 64 ? ulong.MaxValue : (1UL << n) - 1) << off;
                    ref ulong w = ref d[(j & BlockMask) >> 6];
                    ulong before = w;
                    w = value ? w | mask : w & ~mask;
                    changed += (ulong)BitOperations.PopCount(before ^ w);
                    j += (uint)n;
                }
            }

            i = stop;
        }

        return changed;
    }

    internal unsafe ulong HashMaterialised(ulong h)
    {
        for (ulong w = 0; w < _headWords; w++)
        {
            if (_headBits[w] != 0)
            {
                h = Heap.BuddyHeap.Fnv(Heap.BuddyHeap.Fnv(h, w), _headBits[w]);
            }
        }

        for (int bi = 0; bi < _cold.Length; bi++)
        {
            if (_dirty[bi] is { } d)
            {
                h = Heap.BuddyHeap.Fnv(h, (ulong)bi);
                foreach (var word in d)
                {
                    h = Heap.BuddyHeap.Fnv(h, word);
                }
            }

            if (_cold[bi] is { } cold)
            {
                h = Heap.BuddyHeap.Fnv(h, (ulong)bi);
                foreach (var c in cold)
                {
                    h = Heap.BuddyHeap.Fnv(h, c.CountInfo);
                    h = Heap.BuddyHeap.Fnv(h, c.TypeInfo);
                    h = Heap.BuddyHeap.Fnv(h, (ulong)(c.Owner?.Id ?? -1));
                }
            }
        }

        return h;
    }

    internal unsafe ulong CountFreeHeads()
    {
        ulong n = 0;
        for (ulong w = 0; w < _headWords; w++)
        {
            n += (ulong)BitOperations.PopCount(_headBits[w]);
        }

        return n;
    }

    internal IEnumerable<(uint Idx, ColdEntry Entry)> ColdEntries()
    {
        for (int bi = 0; bi < _cold.Length; bi++)
        {
            if (_cold[bi] is not { } cold)
            {
                continue;
            }

            for (int j = 0; j < cold.Length; j++)
            {
                uint idx = (uint)((bi << BlockShift) + j);
                if (idx < NrIdx && !TryFindChunk(idx, Config.MaxOrder, out _, out _))
                {
                    yield return (idx, cold[j]);
                }
            }
        }
    }
}

namespace XenMm.VirtualMapping;

// What a checkpoint needs of vmap: each region's registers out and in (the bitmap is in simulated memory).
public sealed partial class Vmap
{
    internal int RegionSlots => _regions.Length;

    internal VmapRegionState? CaptureRegion(int type)
    {
        lock (_vmLock)
        {
            return _regions[type] is { } r ? new VmapRegionState(new VirtAddr(r.Base), r.End, r.Low, r.Top) : null;
        }
    }

    internal void RestoreRegion(int type, VmapRegionState? state)
    {
        lock (_vmLock)
        {
            _regions[type] = state is { } s ? new Region(s.Base.Value, s.End) { Low = s.Low, Top = s.Top } : null;
        }
    }

    internal (ulong Va, ulong[] Mfns)[] CaptureVmallocs()
    {
        lock (_vmLock)
        {
            return [.. _vmallocs.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.Select(m => m.Value).ToArray()))];
        }
    }

    // The vmalloc areas, each of which must start an allocation of exactly its frames' size (call after the regions).
    internal void RestoreVmallocs((ulong Va, ulong[] Mfns)[] areas, PhysicalMemoryCheck isRam)
    {
        lock (_vmLock)
        {
            _vmallocs.Clear();
            for (var i = 0; i < areas.Length; i++)
            {
                var (va, mfns) = areas[i];
                var (t, bit) = Find(new VirtAddr(va));
                if ((i > 0 && va <= areas[i - 1].Va) || t is null || SizeOf(t, bit) != (ulong)mfns.Length || !mfns.All(m => isRam(m)))
                {
                    throw Checkpoint.CheckpointErrors.Corrupt("Vmap", $"vmalloc area {i} at VA 0x{va:x} ({mfns.Length} frames) is out of order, does not start an allocation of that size, or maps a frame outside RAM");
                }

                _vmallocs[va] = [.. mfns.Select(m => new Mfn(m))];
            }
        }
    }

    internal delegate bool PhysicalMemoryCheck(ulong mfn);

    // True when every bitmap word below vm_top translates for writing: what the allocator reads and writes.
    internal bool BitmapMapped(VmapRegionState s)
    {
        var words = (s.Top + 63) / 64;
        for (var page = 0UL; page * 512 < words; page++)
        {
            var translation = _mappings.Translate(new VirtAddr(s.Base.Value + (page << Addressing.PageShift)), PageTables.AccessType.Write);
            if (translation.IsFault)
            {
                return false;
            }
        }

        return true;
    }
}

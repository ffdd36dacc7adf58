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

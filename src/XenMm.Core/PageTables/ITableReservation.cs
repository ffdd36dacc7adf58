using XenMm.Memory;

namespace XenMm.PageTables;

/// <summary>
/// What a caller that maps several things in a row (vmap's bitmap set-up) asks before acting, so that running out of
/// table pages half-way cannot happen and nothing has to be rolled back.
/// </summary>
internal interface ITableReservation
{
    /// <summary>How many table pages <c>populate_pt_range(va, nr)</c> (or a 4 KiB map of that range) would create now; 0 when it would fail for another reason.</summary>
    ulong TablesToPopulate(VirtAddr va, ulong nr);

    /// <summary>True when table pages come from <paramref name="allocator"/>.</summary>
    bool TakesFramesFrom(IFrameAllocator allocator);

    /// <summary>How many table pages can still be allocated.</summary>
    ulong TableFramesAvailable { get; }
}

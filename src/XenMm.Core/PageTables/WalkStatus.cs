namespace XenMm.PageTables;

/// <summary>How a walk towards a target level ended (Xen: the results of <c>xen_pt_next_level</c>).</summary>
internal enum WalkStatus
{
    /// <summary>The target level's entry was reached.</summary>
    Reached,

    /// <summary>An intermediate entry is invalid and the walk was read-only (XEN_TABLE_MAP_FAILED).</summary>
    Missing,

    /// <summary>A valid non-table entry above the target level (XEN_TABLE_SUPER_PAGE).</summary>
    Block,

    /// <summary>A table page could not be allocated (XEN_TABLE_MAP_FAILED from create_xen_table).</summary>
    OutOfMemory,
}

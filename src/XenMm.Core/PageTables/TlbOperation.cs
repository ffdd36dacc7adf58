namespace XenMm.PageTables;

/// <summary>The TLB maintenance Xen performs at the end of <c>xen_pt_update</c>.</summary>
public enum TlbOperation
{
    /// <summary>Only an ISB: a pure insert replaced no valid entry, so no TLB entry can be stale.</summary>
    Isb,

    /// <summary><c>flush_xen_tlb_range_va</c> over the whole requested range, inner-shareable (even after a failure).</summary>
    FlushRange,
}

namespace XenMm.Frames;

/// <summary>
/// A snapshot of one page's <c>struct page_info</c> as Xen would show it. Pages inside a free chunk are
/// answered from the chunk (state free, need_scrub from the chunk's dirty pages) even though XenMm does not
/// store them page by page.
/// </summary>
public readonly record struct PageInfo
{
    /// <summary>The frame this entry describes.</summary>
    public Mfn Mfn { get; init; }

    /// <summary><c>count_info</c>: PGC flags and reference count, in the machine's word layout (see <see cref="PageCount"/>).</summary>
    public ulong CountInfo { get; init; }

    /// <summary><c>u.inuse.type_info</c> (meaningful for in-use pages).</summary>
    public ulong TypeInfo { get; init; }

    /// <summary>The owning domain's id, or null when the page is anonymous or free.</summary>
    public int? OwnerId { get; init; }

    /// <summary>True when the page is the head of a free chunk (it is on a <c>heap(node, zone, order)</c> list).</summary>
    public bool IsFreeHead { get; init; }

    /// <summary>True when the page lies in a free chunk (head or not).</summary>
    public bool IsFree { get; init; }

    /// <summary><c>PFN_ORDER</c>: the order of the free chunk this page heads (0 otherwise).</summary>
    public int Order { get; init; }

    /// <summary><c>u.free.first_dirty</c> of a free head (INVALID_DIRTY_IDX when clean).</summary>
    public uint FirstDirty { get; init; }

    /// <summary><c>u.free.need_tlbflush</c> of a free head.</summary>
    public bool NeedTlbflush { get; init; }

    /// <summary><c>u.free.scrub_state</c> of a free head.</summary>
    public ScrubState ScrubState { get; init; }

    /// <summary>The NUMA node of the page.</summary>
    public int Node { get; init; }
}

namespace XenMm.Domains;

/// <summary>
/// The memory-accounting part of Xen's <c>struct domain</c>: <c>tot_pages</c>, <c>max_pages</c>,
/// <c>extra_pages</c>, <c>outstanding_pages</c> (its claim) and whether it is dying. Changed only through
/// Domheap, under the heap lock.
/// </summary>
public sealed class Domain
{
    /// <summary>Creates a domain with id <paramref name="id"/> and the page limit <paramref name="maxPages"/>.</summary>
    /// <exception cref="XenMmException">The id is negative.</exception>
    public Domain(int id, ulong maxPages)
    {
        if (id < 0)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Domain id {id} is negative.");
        }

        Id = id;
        MaxPages = maxPages;
    }

    /// <summary>The domain id (<c>domain_id</c>).</summary>
    public int Id { get; }

    /// <summary><c>tot_pages</c>: owned pages counted against <see cref="MaxPages"/>.</summary>
    public ulong TotPages { get; internal set; }

    /// <summary><c>max_pages</c>: the limit assign_pages enforces for refcounted pages.</summary>
    public ulong MaxPages { get; set; }

    /// <summary><c>extra_pages</c>: owned pages with PGC_extra (not counted against max_pages).</summary>
    public ulong ExtraPages { get; internal set; }

    /// <summary><c>outstanding_pages</c>: what remains of the domain's claim.</summary>
    public ulong OutstandingPages { get; internal set; }

    /// <summary><c>is_dying</c>: assign_pages refuses a dying domain.</summary>
    public bool IsDying { get; set; }

    /// <summary><c>last_alloc_node</c>: where the previous allocation for this domain came from.</summary>
    public int LastAllocNode { get; internal set; } = -1;

    /// <inheritdoc />
    public override string ToString() => $"d{Id} (tot {TotPages}, max {MaxPages}, claim {OutstandingPages})";
}

namespace XenMm;

/// <summary>
/// Why a XenMm operation refused its input. Each code names one rule; the Xen errno or BUG() it stands
/// for is given where there is one. Codes are stable: new ones are only ever appended.
/// </summary>
public enum MmError
{
    /// <summary>No error. Never carried by an exception.</summary>
    None = 0,

    /// <summary>Memory could not be found for a request that must not fail (Xen: BUG or panic).</summary>
    OutOfMemory,

    /// <summary>An address, MFN or range lies outside what exists (RAM, a region, the address width).</summary>
    InvalidAddress,

    /// <summary>The page or range is not allocated, so it cannot be freed or used.</summary>
    NotAllocated,

    /// <summary>The page or chunk was already free (Xen: BUG in mark_page_free).</summary>
    DoubleFree,

    /// <summary>A valid entry would be overwritten (Xen: xen_pt_check_entry, -EINVAL).</summary>
    AlreadyMapped,

    /// <summary>The update would split a block mapping (Xen: "Shattering superpage is not supported", -EOPNOTSUPP).</summary>
    WouldShatterBlock,

    /// <summary>Every per-CPU map_domain_page slot is in use (Xen: BUG, "callers have misbehaved").</summary>
    SlotsExhausted,

    /// <summary>A checkpoint failed a checksum, a bound or the audit.</summary>
    CorruptCheckpoint,

    /// <summary>A checkpoint was written by an incompatible format version or composition.</summary>
    IncompatibleCheckpoint,

    /// <summary>An argument is outside its documented range (Xen: -EINVAL).</summary>
    InvalidArgument,

    /// <summary>A page order is negative, above MAX_ORDER, or does not match the chunk.</summary>
    InvalidOrder,

    /// <summary>An address or MFN is not aligned as the operation requires.</summary>
    Misaligned,

    /// <summary>The operation would exceed a domain limit (Xen: assign_pages -E2BIG / -EPERM).</summary>
    LimitExceeded,

    /// <summary>A claim breaks domain_set_outstanding_pages' rules (Xen: -EINVAL or -ENOMEM).</summary>
    ClaimRejected,

    /// <summary>No mapping exists where one is required (Xen: -ENOENT on modify).</summary>
    NotMapped,

    /// <summary>The entry is a table, which Xen never removes or modifies in place.</summary>
    TableEntry,

    /// <summary>The entry carries the contiguous hint, which Xen never removes or modifies piecemeal.</summary>
    ContiguousEntry,

    /// <summary>Modify would change the memory attribute index (Xen: xen_pt_check_entry).</summary>
    AttributeMismatch,

    /// <summary>The mapping flags ask for writable and executable memory (Xen: flags_has_rwx, SCTLR.WXN).</summary>
    WriteAndExecute,

    /// <summary>The flags carry a bit that only Xen itself may set (Xen: _PAGE_CONTIG passed by a caller).</summary>
    InvalidFlags,

    /// <summary>The object is in a state that does not allow the operation (a dying domain, a busy page).</summary>
    InvalidState,

    /// <summary>Two ranges overlap where they must not (RAM banks, layout regions).</summary>
    Overlap,

    /// <summary>Boot cannot go on where Xen would panic (Xen: "Not enough space for xenheap", "Frametable too small", ...).</summary>
    BootFailed,

    /// <summary>
    /// A flattened device tree blob is malformed, or holds something Xen's early boot refuses (Xen: a panic in
    /// <c>boot_fdt_info</c> or <c>early_fdt_map</c>). The message names the byte offset and what is wrong.
    /// </summary>
    InvalidDeviceTree,
}

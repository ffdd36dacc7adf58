namespace XenMm.Checkpoint;

/// <summary>
/// The record types of a checkpoint file (docs/checkpoint-format.md), in the order they must appear. Types with bit 31
/// set are optional: a reader that does not know one skips it. An unknown mandatory type is refused.
/// </summary>
public enum CheckpointRecordType : uint
{
    /// <summary>The composition: architecture, layout, heap constants, profile and the machine's options. First.</summary>
    Header = 1,

    /// <summary>A fingerprint of what boot built (log, boot allocations, image pages), checked against the host's boot.</summary>
    Boot = 2,

    /// <summary>The domains' accounting (tot_pages, max_pages, extra, claims, dying, last node).</summary>
    Domains = 3,

    /// <summary>The non-zero pages of one 2 MiB chunk of physical memory (repeated, chunks in address order).</summary>
    Memory = 4,

    /// <summary>The frame table's materialised state: cold per-page entries, need-scrub bits, node placement.</summary>
    FrameTable = 5,

    /// <summary>The heap registers: every free list head to tail with each head's fields, avail, totals, claims, scrub counts.</summary>
    Heap = 6,

    /// <summary>The vmap regions' registers (vm_base, vm_end, vm_low, vm_top); the bitmap itself is in memory.</summary>
    Vmap = 7,

    /// <summary>The machine's run-time table and vmap frames taken from the domheap, and boot frames given back.</summary>
    Frames = 8,

    /// <summary>A part's own registers (<see cref="Machine.ICheckpointable"/>), named by its role (repeated).</summary>
    Part = 9,

    /// <summary>Caller data stored with the machine, such as a workload's state (optional, repeated).</summary>
    Attachment = 0x8000_0001,

    /// <summary>The end: the number of records before it. Last.</summary>
    End = 0xFFFF,
}

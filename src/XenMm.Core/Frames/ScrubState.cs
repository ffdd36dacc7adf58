namespace XenMm.Frames;

/// <summary>The scrub state of a free chunk's head (Xen: <c>u.free.scrub_state</c>, common/page_alloc.c BUDDY_*).</summary>
public enum ScrubState : byte
{
    /// <summary>BUDDY_NOT_SCRUBBING.</summary>
    NotScrubbing = 0,

    /// <summary>BUDDY_SCRUBBING: an idle CPU is scrubbing the chunk.</summary>
    Scrubbing = 1,

    /// <summary>BUDDY_SCRUB_ABORT: an allocator wants the chunk being scrubbed.</summary>
    ScrubAbort = 2,
}

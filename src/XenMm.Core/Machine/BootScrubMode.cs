namespace XenMm.Machine;

/// <summary>Xen's <c>bootscrub=</c> (common/page_alloc.c, <c>enum bootscrub_mode</c>): how pages freed during boot are scrubbed.</summary>
public enum BootScrubMode
{
    /// <summary><c>bootscrub=idle</c>, the default: boot pages enter the heap dirty and are scrubbed later (idle loop, or on allocation).</summary>
    Idle = 0,

    /// <summary><c>bootscrub</c> / <c>bootscrub=on</c>: every free page is scrubbed before boot ends (<c>scrub_heap_pages</c>).</summary>
    On,

    /// <summary><c>no-bootscrub</c> / <c>bootscrub=off</c>: free pages are not scrubbed during boot.</summary>
    Off,
}

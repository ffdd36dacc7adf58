namespace XenMm.Machine;

/// <summary>What a page of RAM is used for: the categories of the page census. Every RAM page is in exactly one.</summary>
public enum PageUse
{
    /// <summary>Free in the buddy heap (any zone).</summary>
    Free = 0,

    /// <summary>Allocated through <c>alloc_xenheap_pages</c>.</summary>
    Xenheap,

    /// <summary>Kept out of both heaps by the split model (the one-page buffers of <c>init_xenheap_pages</c>).</summary>
    Buffer,

    /// <summary>Owned by a domain (<c>assign_pages</c>).</summary>
    Domain,

    /// <summary>Allocated from the domheap with no owner, by a caller the machine does not track (<c>alloc_domheap_pages(NULL, ...)</c>).</summary>
    Anonymous,

    /// <summary>A page of Xen's own page tables allocated at run time or from the boot allocator.</summary>
    PageTable,

    /// <summary>A vmap bitmap page or a <c>vmalloc</c> page.</summary>
    Vmap,

    /// <summary>Backing of the frame table (<c>init_frametable</c>).</summary>
    FrameTable,

    /// <summary>Another boot-time structure (the 2013 boot allocator's region list, a boot allocation of another purpose).</summary>
    BootStructure,

    /// <summary>A boot module (Xen's image with its static page tables, the device tree, kernels, ramdisks).</summary>
    Module,

    /// <summary>A reserved region.</summary>
    Reserved,

    /// <summary>Removed by <c>badpage=</c>.</summary>
    BadPage,
}

namespace XenMm.Heap;

/// <summary>How <see cref="BuddyHeap.InitHeapPages"/> hands a range to the buddy allocator.</summary>
public enum HeapInitMode
{
    /// <summary>What the heap's profile does: chunked for current Xen, page-wise for 2013.</summary>
    ProfileDefault = 0,

    /// <summary>Xen ≥ 4.17 <c>_init_heap_pages</c>: the largest naturally aligned chunks, each freed once.</summary>
    Chunked = 1,

    /// <summary>Xen ≤ 4.16: <c>free_heap_pages(pg + i, 0)</c> for every page, in increasing address order.</summary>
    PageWise = 2,
}

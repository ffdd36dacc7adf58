namespace XenMm;

/// <summary>
/// Which Xen XenMm reproduces where the reference records a difference. The default is current Xen
/// (staging, 4.22); <see cref="Xen2013"/> is the Xen 4.3/4.4 state (see docs/fidelity.md for every switch).
/// </summary>
public enum XenProfile
{
    /// <summary>Current Xen: chunked init_heap_pages, clean chunks at list heads, lazy scrubbing, populate_pt_range for vmap.</summary>
    Current = 0,

    /// <summary>Xen 4.3/4.4 (2013): page-wise init, tail insertion on free, no lazy scrub, vm_init's real leaf PTEs.</summary>
    Xen2013 = 1,
}

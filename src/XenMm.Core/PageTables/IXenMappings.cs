namespace XenMm.PageTables;

/// <summary>
/// Xen's hypervisor mapping calls over one table tree, whatever its format: what vmap and other Xen code
/// above the page tables call (Xen: <c>map_pages_to_xen</c>, <c>destroy_xen_mappings</c>,
/// <c>modify_xen_mappings</c>, <c>populate_pt_range</c>).
/// </summary>
public interface IXenMappings
{
    /// <summary>Which Xen the descriptors follow.</summary>
    XenProfile Profile { get; }

    /// <summary>Maps <paramref name="nr"/> pages from <paramref name="mfn"/> at <paramref name="va"/> (Xen: <c>map_pages_to_xen</c>).</summary>
    void Map(VirtAddr va, Mfn mfn, ulong nr, PageFlags flags);

    /// <summary>Removes the mappings of <c>[start, end)</c> (Xen: <c>destroy_xen_mappings</c>).</summary>
    void Destroy(VirtAddr start, VirtAddr end);

    /// <summary>Changes the permissions of <c>[start, end)</c> (Xen: <c>modify_xen_mappings</c>).</summary>
    void Modify(VirtAddr start, VirtAddr end, PageFlags flags);

    /// <summary>Creates the intermediate tables for <paramref name="nr"/> pages at <paramref name="va"/> (Xen: <c>populate_pt_range</c>).</summary>
    void Populate(VirtAddr va, ulong nr);

    /// <summary>Translates <paramref name="va"/> by a software walk.</summary>
    Translation Translate(VirtAddr va, AccessType access = AccessType.Read);
}

using XenMm.Arm32.PageTables;
using XenMm.PageTables;

namespace XenMm.Arm32.Machine;

// A secondary CPU's view (Xen: its own root, a copy of CPU 0's, linking the shared xen_second and xenheap tables
// plus the CPU's own dommap pages). Xen's mapping calls change only the shared tables below the root, so they go
// through CPU 0's engine; translation walks this CPU's root, so its dommap slots are its own.
internal sealed class Arm32CpuMappings(IXenMappings shared, PageTables<LpaeFormat> own) : IXenMappings
{
    public XenProfile Profile => shared.Profile;

    public void Map(VirtAddr va, Mfn mfn, ulong nr, PageFlags flags) => shared.Map(va, mfn, nr, flags);

    public void Destroy(VirtAddr start, VirtAddr end) => shared.Destroy(start, end);

    public void Modify(VirtAddr start, VirtAddr end, PageFlags flags) => shared.Modify(start, end, flags);

    public void Populate(VirtAddr va, ulong nr) => shared.Populate(va, nr);

    public Translation Translate(VirtAddr va, AccessType access = AccessType.Read) => own.Translate(va, access);
}

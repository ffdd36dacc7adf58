using XenMm.Memory;

namespace XenMm.PageTables;

// Xen's statically allocated tables (xen_pgtable, xen_second, cpu0_dommap, ...): pages that come from Xen's image or
// are shared with another CPU's tree rather than from the allocator.
public sealed partial class PageTables<TFormat>
{
    /// <summary>
    /// Creates an empty tree on a root page the caller provides (Xen: a static root such as <c>xen_pgtable</c> or
    /// <c>cpu0_pgtable</c>), zeroing it; later tables come from <paramref name="allocator"/>.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidAddress"/> when the root is not RAM.</exception>
    // RS0026 (several overloads with optional parameters): the two Create overloads differ in a required
    // parameter (the root MFN), so no call is ambiguous; both are part of the first, unshipped surface.
#pragma warning disable RS0026
    public static PageTables<TFormat> Create(PhysicalMemory memory, IFrameAllocator allocator, Mfn root, LeafAttributes? tableAttributes = null)
#pragma warning restore RS0026
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(allocator);
        if (!memory.IsRam(root))
        {
            throw new XenMmException(MmError.InvalidAddress, $"Root table MFN {root} is not RAM.");
        }

        return OnRoot(memory, allocator, root, tableAttributes);
    }

    /// <summary>
    /// Links <paramref name="table"/> as the level-<paramref name="level"/> table that holds <paramref name="va"/>'s
    /// entries: a static table of Xen's image (zero it first), or a table another CPU's tree already uses (shared,
    /// as arm32's <c>xen_second</c> is by every CPU's root). The tables above must exist and the linking entry must
    /// be empty. The page counts as this tree's from then on.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidArgument"/> for a level that cannot hold a table link, <see cref="MmError.NotMapped"/>
    /// when a table above is missing, <see cref="MmError.AlreadyMapped"/> when the entry is in use,
    /// <see cref="MmError.InvalidAddress"/> when the page is not RAM. Nothing changes when it throws.
    /// </exception>
    public void LinkTable(VirtAddr va, int level, Mfn table)
    {
        if (level <= TFormat.RootLevel || level > PageLevel)
        {
            throw new XenMmException(MmError.InvalidArgument, $"A table at level {level} cannot be linked into a {TFormat.Name} tree rooted at level {TFormat.RootLevel}.");
        }

        if (!_memory.IsRam(table))
        {
            throw new XenMmException(MmError.InvalidAddress, $"Table MFN {table} is not RAM.");
        }

        if (_allocator is null)
        {
            throw ReadOnlyError();
        }

        var status = WalkTo(va.Value, level - 1, false, out var entry, out var at);
        if (status != WalkStatus.Reached)
        {
            throw new XenMmException(status == WalkStatus.Block ? MmError.WouldShatterBlock : MmError.NotMapped, $"VA {va}: no level-{at} table to link a level-{level} table from ({status}).");
        }

        if ((ReadEntry(entry) & 1) != 0)
        {
            throw new XenMmException(MmError.AlreadyMapped, $"VA {va}: the level-{level - 1} entry is already valid.");
        }

        WriteEntry(entry, TFormat.MakeTable(table.ToPhysAddr(), _tableBits));
        AddOwned(table.Value, 0);
    }
}

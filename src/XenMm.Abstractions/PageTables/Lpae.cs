namespace XenMm.PageTables;

/// <summary>
/// Xen's level rules for long descriptors (<c>asm/lpae.h</c>: <c>lpae_is_valid</c>, <c>lpae_is_table</c>,
/// <c>lpae_is_mapping</c>, <c>lpae_is_superpage</c>), shared by LPAE and VMSAv8-64 with the 4 KiB granule.
/// Levels run from 0 (the arm64 root) to 3 (pages).
/// </summary>
public static class Lpae
{
    /// <summary>The deepest level (4 KiB pages).</summary>
    public const int PageLevel = 3;

    /// <summary>True when bit 0 (valid) is set.</summary>
    public static bool IsValid(ulong raw) => (raw & 1) != 0;

    /// <summary>True when the descriptor links to a next-level table (Xen: <c>lpae_is_table</c>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] // the walk tests it first at every level
    public static bool IsTable(ulong raw, int level)
    {
        if ((uint)level > PageLevel)
        {
            ThrowBadLevel(level);
        }

        return level != PageLevel && (raw & 3) == 3;
    }

    /// <summary>True when the descriptor maps memory: a block or a page (Xen: <c>lpae_is_mapping</c> on a valid entry).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] // the walk tests it where it stops
    public static bool IsMapping(ulong raw, int level)
    {
        if ((uint)level > PageLevel)
        {
            ThrowBadLevel(level);
        }

        // A page is 0b11 at level 3; a block is 0b01 at levels 1 and 2 (level 0 has no blocks with 4 KiB).
        return (raw & 3) == (level == PageLevel ? 3UL : 1UL) && level != 0;
    }

    /// <summary>True when the descriptor is a block above level 3 (Xen: <c>lpae_is_superpage</c>).</summary>
    public static bool IsSuperpage(ulong raw, int level) => Classify(raw, level) == DescriptorKind.Block;

    /// <summary>
    /// Classifies <paramref name="raw"/> at <paramref name="level"/> (0-3): levels 0-2 with the table bit are
    /// tables; levels 1-2 without it are blocks; level 0 has no blocks (reserved); level 3 needs the table
    /// bit for a page, and 0b01 there is reserved.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> when the level is not 0-3.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] // the page-table walk calls it per level
    public static DescriptorKind Classify(ulong raw, int level)
    {
        if ((uint)level > PageLevel)
        {
            ThrowBadLevel(level);
        }

        // Bit tests straight to the kind: with a constant level (the walk's) this folds to two tests.
        if (!IsValid(raw))
        {
            return DescriptorKind.Invalid;
        }

        if ((raw & 2) != 0)
        {
            return level == PageLevel ? DescriptorKind.Page : DescriptorKind.Table;
        }

        return level is PageLevel or 0 ? DescriptorKind.Reserved : DescriptorKind.Block;
    }

    private static void ThrowBadLevel(int level) =>
        throw new XenMmException(MmError.InvalidArgument, $"Level {level} is not a page-table level (0-3).");
}

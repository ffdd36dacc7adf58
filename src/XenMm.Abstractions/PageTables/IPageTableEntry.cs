namespace XenMm.PageTables;

/// <summary>
/// What every generated descriptor offers generic code (a page-table walker, a decoder): construction from
/// and access to the raw bits, widened to 64, and the field table. The generator implements it for every
/// <see cref="PageTableEntryAttribute">[PageTableEntry]</see> struct.
/// </summary>
/// <typeparam name="TSelf">The descriptor type.</typeparam>
public interface IPageTableEntry<TSelf> : IEquatable<TSelf>
    where TSelf : struct, IPageTableEntry<TSelf>
{
    /// <summary>The storage width in bits: 32 or 64.</summary>
    static abstract int StorageWidth { get; }

    /// <summary>The fields in declared order, then the reserved ranges.</summary>
    static abstract ReadOnlySpan<PteField> Fields { get; }

    /// <summary>The mask of every reserved bit.</summary>
    static abstract ulong ReservedBits { get; }

    /// <summary>The descriptor with raw bits <paramref name="raw"/>; throws when they do not fit the storage width.</summary>
    static abstract TSelf FromRaw(ulong raw);

    /// <summary>The raw bits, widened to 64.</summary>
    ulong RawBits { get; }

    /// <summary>True when a reserved bit is set.</summary>
    bool HasReservedBitsSet { get; }
}

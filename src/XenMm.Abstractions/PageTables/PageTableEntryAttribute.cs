namespace XenMm.PageTables;

/// <summary>
/// Marks a <c>partial struct</c> as a page-table descriptor. The XenMm source generator gives it raw storage
/// (<c>Raw</c>), a constructor from raw bits, a getter for every <c>partial</c> property that carries
/// <see cref="BitAttribute"/>, <see cref="BitsAttribute"/> or <see cref="AddressAttribute"/>, <c>WithX</c> copies,
/// <c>XMask</c>/<c>XShift</c> constants, a <c>Fields</c> table, equality and <c>ToString()</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Class, Inherited = false)]
public sealed class PageTableEntryAttribute : Attribute
{
    /// <summary>A 64-bit descriptor (LPAE, VMSAv8-64).</summary>
    public PageTableEntryAttribute()
        : this(64)
    {
    }

    /// <summary>A descriptor stored in <paramref name="width"/> bits: 32 (<c>uint</c>) or 64 (<c>ulong</c>).</summary>
    public PageTableEntryAttribute(int width)
    {
        Width = width;
    }

    /// <summary>The storage width in bits: 32 or 64.</summary>
    public int Width { get; }
}

namespace XenMm.PageTables;

/// <summary>
/// Bits <c>msb:lsb</c> of a <see cref="PageTableEntryAttribute">descriptor</see> should be zero (Xen's
/// <c>sbz</c>). Put it on the struct, once per range; the generated <c>HasReservedBitsSet</c> checks them.
/// </summary>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
public sealed class ReservedAttribute : Attribute
{
    /// <summary>Bits <paramref name="msb"/> down to <paramref name="lsb"/>, inclusive, are reserved.</summary>
    public ReservedAttribute(int msb, int lsb)
    {
        Msb = msb;
        Lsb = lsb;
    }

    /// <summary>The most significant reserved bit.</summary>
    public int Msb { get; }

    /// <summary>The least significant reserved bit.</summary>
    public int Lsb { get; }
}

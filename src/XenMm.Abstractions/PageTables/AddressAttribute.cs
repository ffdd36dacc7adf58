namespace XenMm.PageTables;

/// <summary>
/// An address field of a <see cref="PageTableEntryAttribute">descriptor</see> (Xen's <c>base</c>). The value is
/// kept in place, not shifted: bits <c>msb:lsb</c> of the descriptor are bits <c>msb:lsb</c> of the address,
/// the others are zero. The property type is <see cref="PhysAddr"/> or <c>ulong</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class AddressAttribute : Attribute
{
    /// <summary>The address occupies bits <paramref name="msb"/> down to <paramref name="lsb"/>, inclusive.</summary>
    public AddressAttribute(int msb, int lsb)
    {
        Msb = msb;
        Lsb = lsb;
    }

    /// <summary>The most significant address bit held.</summary>
    public int Msb { get; }

    /// <summary>The least significant address bit held (12 for a 4 KiB-aligned address).</summary>
    public int Lsb { get; }
}

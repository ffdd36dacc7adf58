namespace XenMm.PageTables;

/// <summary>
/// A multi-bit field of a <see cref="PageTableEntryAttribute">descriptor</see>, read shifted down to bit 0:
/// an unsigned integer or an enum.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class BitsAttribute : Attribute
{
    /// <summary>The field spans bits <paramref name="msb"/> down to <paramref name="lsb"/>, inclusive.</summary>
    public BitsAttribute(int msb, int lsb)
    {
        Msb = msb;
        Lsb = lsb;
    }

    /// <summary>The most significant bit of the field.</summary>
    public int Msb { get; }

    /// <summary>The least significant bit of the field.</summary>
    public int Lsb { get; }
}

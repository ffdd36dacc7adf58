namespace XenMm.PageTables;

/// <summary>A one-bit field of a <see cref="PageTableEntryAttribute">descriptor</see>, usually a <c>bool</c>.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class BitAttribute : Attribute
{
    /// <summary>The field is bit <paramref name="bit"/> (0 is the least significant).</summary>
    public BitAttribute(int bit)
    {
        Bit = bit;
    }

    /// <summary>The bit number.</summary>
    public int Bit { get; }
}

namespace XenMm.PageTables;

/// <summary>
/// One row of a generated descriptor's <c>Fields</c> table: a field's name, its bit range and what it holds.
/// Decoders use it to show any descriptor without knowing its type.
/// </summary>
/// <param name="Name">The property name (for a reserved range: <c>Reserved</c>).</param>
/// <param name="Msb">The most significant bit.</param>
/// <param name="Lsb">The least significant bit.</param>
/// <param name="Kind">What the field holds.</param>
/// <param name="EnumType">For <see cref="PteFieldKind.Enum"/>, the enum type; otherwise null.</param>
public readonly record struct PteField(string Name, int Msb, int Lsb, PteFieldKind Kind, Type? EnumType = null)
{
    /// <summary>The number of bits.</summary>
    public int Width => Msb - Lsb + 1;

    /// <summary>The field's bits, in place.</summary>
    public ulong Mask => (ulong.MaxValue >> (64 - Width)) << Lsb;

    /// <summary>
    /// The field's value in <paramref name="raw"/>: shifted down to bit 0, except for an
    /// <see cref="PteFieldKind.Address"/>, which stays in place.
    /// </summary>
    public ulong Extract(ulong raw) => Kind == PteFieldKind.Address ? raw & Mask : (raw & Mask) >> Lsb;

    /// <summary>The bit range as the Arm manuals write it: <c>7</c> or <c>47:12</c>.</summary>
    public string Bits => Msb == Lsb ? $"{Msb}" : $"{Msb}:{Lsb}";
}

using System.Diagnostics.CodeAnalysis;

namespace XenMm;

/// <summary>
/// A page index (Xen's pdx): an MFN with the PDX-compression hole squeezed out, used to index the frame
/// table and, on arm64, the direct map. Without compression it equals the MFN.
/// </summary>
/// <param name="Value">The index.</param>
public readonly record struct Pdx(ulong Value) : IComparable<Pdx>, ISpanFormattable, IParsable<Pdx>
{
    /// <summary>The index <paramref name="pages"/> above.</summary>
    public static Pdx operator +(Pdx pdx, ulong pages) => new(checked(pdx.Value + pages));

    /// <summary>The index <paramref name="pages"/> below.</summary>
    public static Pdx operator -(Pdx pdx, ulong pages) => new(checked(pdx.Value - pages));

    /// <summary>The distance from <paramref name="right"/> up to <paramref name="left"/>.</summary>
    public static ulong operator -(Pdx left, Pdx right) => checked(left.Value - right.Value);

    /// <summary>Compares two indexes.</summary>
    public static bool operator <(Pdx left, Pdx right) => left.Value < right.Value;

    /// <summary>Compares two indexes.</summary>
    public static bool operator >(Pdx left, Pdx right) => left.Value > right.Value;

    /// <summary>Compares two indexes.</summary>
    public static bool operator <=(Pdx left, Pdx right) => left.Value <= right.Value;

    /// <summary>Compares two indexes.</summary>
    public static bool operator >=(Pdx left, Pdx right) => left.Value >= right.Value;

    /// <inheritdoc />
    public int CompareTo(Pdx other) => Value.CompareTo(other.Value);

    /// <summary>Hex: <c>0x80000</c>.</summary>
    public override string ToString() => Hex.Format(Value);

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Hex.TryFormat(Value, destination, out charsWritten);

    /// <summary>Parses hex with or without <c>0x</c> and with <c>_</c> separators.</summary>
    public static Pdx Parse(string s, IFormatProvider? provider = null) => new(Hex.Parse(s, "PDX"));

    /// <summary>Parses hex with or without <c>0x</c> and with <c>_</c> separators.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Pdx result)
    {
        var ok = Hex.TryParse(s, out var v);
        result = new Pdx(v);
        return ok;
    }
}

using System.Diagnostics.CodeAnalysis;

namespace XenMm;

/// <summary>
/// A physical (machine) address, Xen's <c>paddr_t</c>. Arithmetic is checked: stepping past 0 or 2^64 throws
/// <see cref="OverflowException"/>.
/// </summary>
/// <param name="Value">The byte address.</param>
public readonly record struct PhysAddr(ulong Value) : IComparable<PhysAddr>, ISpanFormattable, IParsable<PhysAddr>
{
    /// <summary>The frame that holds this address (Xen: maddr_to_mfn / PFN_DOWN).</summary>
    public Mfn Mfn => new(Value >> Addressing.PageShift);

    /// <summary>The byte offset inside the page.</summary>
    public ulong PageOffset => Value & Addressing.PageMask;

    /// <summary>True when the address starts a page.</summary>
    public bool IsPageAligned => PageOffset == 0;

    /// <summary>The address of the frame <paramref name="mfn"/>.</summary>
    public static PhysAddr FromMfn(Mfn mfn) => mfn.ToPhysAddr();

    /// <summary>True when the address is a multiple of the power of two <paramref name="alignment"/>.</summary>
    public bool IsAligned(ulong alignment) => Addressing.IsAligned(Value, alignment);

    /// <summary>Rounds down to the power of two <paramref name="alignment"/>.</summary>
    public PhysAddr AlignDown(ulong alignment) => new(Addressing.AlignDown(Value, alignment));

    /// <summary>Rounds up to the power of two <paramref name="alignment"/>; throws <see cref="OverflowException"/> past 2^64.</summary>
    public PhysAddr AlignUp(ulong alignment) => new(Addressing.AlignUp(Value, alignment));

    /// <summary>The address <paramref name="bytes"/> above.</summary>
    public static PhysAddr operator +(PhysAddr address, ulong bytes) => new(checked(address.Value + bytes));

    /// <summary>The address <paramref name="bytes"/> below.</summary>
    public static PhysAddr operator -(PhysAddr address, ulong bytes) => new(checked(address.Value - bytes));

    /// <summary>The distance in bytes from <paramref name="right"/> up to <paramref name="left"/>.</summary>
    public static ulong operator -(PhysAddr left, PhysAddr right) => checked(left.Value - right.Value);

    /// <summary>Compares two addresses.</summary>
    public static bool operator <(PhysAddr left, PhysAddr right) => left.Value < right.Value;

    /// <summary>Compares two addresses.</summary>
    public static bool operator >(PhysAddr left, PhysAddr right) => left.Value > right.Value;

    /// <summary>Compares two addresses.</summary>
    public static bool operator <=(PhysAddr left, PhysAddr right) => left.Value <= right.Value;

    /// <summary>Compares two addresses.</summary>
    public static bool operator >=(PhysAddr left, PhysAddr right) => left.Value >= right.Value;

    /// <inheritdoc />
    public int CompareTo(PhysAddr other) => Value.CompareTo(other.Value);

    /// <summary>Hex: <c>0x80000000</c>.</summary>
    public override string ToString() => Hex.Format(Value);

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Hex.TryFormat(Value, destination, out charsWritten);

    /// <summary>Parses hex with or without <c>0x</c> and with <c>_</c> separators (<c>0x8000_0000</c>).</summary>
    public static PhysAddr Parse(string s, IFormatProvider? provider = null) => new(Hex.Parse(s, "physical address"));

    /// <summary>Parses hex with or without <c>0x</c> and with <c>_</c> separators.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out PhysAddr result)
    {
        var ok = Hex.TryParse(s, out var v);
        result = new PhysAddr(v);
        return ok;
    }
}

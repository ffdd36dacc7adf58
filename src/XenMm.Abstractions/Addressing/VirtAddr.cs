using System.Diagnostics.CodeAnalysis;

namespace XenMm;

/// <summary>
/// A virtual address in a hypervisor address space, Xen's <c>vaddr_t</c>. Arithmetic is checked: stepping past 0 or 2^64 throws
/// <see cref="OverflowException"/>.
/// </summary>
/// <param name="Value">The byte address.</param>
public readonly record struct VirtAddr(ulong Value) : IComparable<VirtAddr>, ISpanFormattable, IParsable<VirtAddr>
{
    /// <summary>The virtual page number (Xen: vfn), the address shifted right by 12.</summary>
    public ulong PageNumber => Value >> Addressing.PageShift;

    /// <summary>The byte offset inside the page.</summary>
    public ulong PageOffset => Value & Addressing.PageMask;

    /// <summary>True when the address starts a page.</summary>
    public bool IsPageAligned => PageOffset == 0;

    /// <summary>True when the address is a multiple of the power of two <paramref name="alignment"/>.</summary>
    public bool IsAligned(ulong alignment) => Addressing.IsAligned(Value, alignment);

    /// <summary>Rounds down to the power of two <paramref name="alignment"/>.</summary>
    public VirtAddr AlignDown(ulong alignment) => new(Addressing.AlignDown(Value, alignment));

    /// <summary>Rounds up to the power of two <paramref name="alignment"/>; throws <see cref="OverflowException"/> past 2^64.</summary>
    public VirtAddr AlignUp(ulong alignment) => new(Addressing.AlignUp(Value, alignment));

    /// <summary>The address <paramref name="bytes"/> above.</summary>
    public static VirtAddr operator +(VirtAddr address, ulong bytes) => new(checked(address.Value + bytes));

    /// <summary>The address <paramref name="bytes"/> below.</summary>
    public static VirtAddr operator -(VirtAddr address, ulong bytes) => new(checked(address.Value - bytes));

    /// <summary>The distance in bytes from <paramref name="right"/> up to <paramref name="left"/>.</summary>
    public static ulong operator -(VirtAddr left, VirtAddr right) => checked(left.Value - right.Value);

    /// <summary>Compares two addresses.</summary>
    public static bool operator <(VirtAddr left, VirtAddr right) => left.Value < right.Value;

    /// <summary>Compares two addresses.</summary>
    public static bool operator >(VirtAddr left, VirtAddr right) => left.Value > right.Value;

    /// <summary>Compares two addresses.</summary>
    public static bool operator <=(VirtAddr left, VirtAddr right) => left.Value <= right.Value;

    /// <summary>Compares two addresses.</summary>
    public static bool operator >=(VirtAddr left, VirtAddr right) => left.Value >= right.Value;

    /// <inheritdoc />
    public int CompareTo(VirtAddr other) => Value.CompareTo(other.Value);

    /// <summary>Hex: <c>0x80000000</c>.</summary>
    public override string ToString() => Hex.Format(Value);

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Hex.TryFormat(Value, destination, out charsWritten);

    /// <summary>Parses hex with or without <c>0x</c> and with <c>_</c> separators (<c>0x8000_0000</c>).</summary>
    public static VirtAddr Parse(string s, IFormatProvider? provider = null) => new(Hex.Parse(s, "virtual address"));

    /// <summary>Parses hex with or without <c>0x</c> and with <c>_</c> separators.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out VirtAddr result)
    {
        var ok = Hex.TryParse(s, out var v);
        result = new VirtAddr(v);
        return ok;
    }
}

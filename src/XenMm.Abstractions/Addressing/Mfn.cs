using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace XenMm;

/// <summary>
/// A machine frame number (Xen's <c>mfn_t</c>): a physical address shifted right by <see cref="Addressing.PageShift"/>.
/// Arithmetic is checked: stepping past 0 or 2^64 throws <see cref="OverflowException"/>.
/// </summary>
/// <param name="Value">The frame number.</param>
public readonly record struct Mfn(ulong Value) : IComparable<Mfn>, ISpanFormattable, IParsable<Mfn>
{
    /// <summary>Xen's INVALID_MFN (all ones).</summary>
    public static readonly Mfn Invalid = new(ulong.MaxValue);

    /// <summary>The physical address of the first byte of this frame. Throws when the frame lies above 2^64.</summary>
    public PhysAddr ToPhysAddr()
    {
        if (Value > (ulong.MaxValue >> Addressing.PageShift))
        {
            ThrowNoPhysAddr(this);
        }

        return new PhysAddr(Value << Addressing.PageShift);
    }

    // Out of line: the message's interpolation handler, inlined into every caller, was a 40-byte stack slot that each
    // caller's frame zeroed on entry and again before each use (the page-table map zeroed it per table it created).
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNoPhysAddr(Mfn mfn) => throw new OverflowException($"MFN {mfn} has no 64-bit physical address.");

    /// <summary>True when this frame starts a naturally aligned run of the given order.</summary>
    public bool IsAligned(PageOrder order) => (Value & (order.Pages - 1)) == 0;

    /// <summary>The head of the naturally aligned run of <paramref name="order"/> that holds this frame.</summary>
    public Mfn AlignDown(PageOrder order) => new(Value & ~(order.Pages - 1));

    /// <summary>The frame <paramref name="pages"/> frames above.</summary>
    public static Mfn operator +(Mfn mfn, ulong pages) => new(checked(mfn.Value + pages));

    /// <summary>The frame <paramref name="pages"/> frames below.</summary>
    public static Mfn operator -(Mfn mfn, ulong pages) => new(checked(mfn.Value - pages));

    /// <summary>The number of frames from <paramref name="right"/> up to <paramref name="left"/>.</summary>
    public static ulong operator -(Mfn left, Mfn right) => checked(left.Value - right.Value);

    /// <summary>Compares two frame numbers.</summary>
    public static bool operator <(Mfn left, Mfn right) => left.Value < right.Value;

    /// <summary>Compares two frame numbers.</summary>
    public static bool operator >(Mfn left, Mfn right) => left.Value > right.Value;

    /// <summary>Compares two frame numbers.</summary>
    public static bool operator <=(Mfn left, Mfn right) => left.Value <= right.Value;

    /// <summary>Compares two frame numbers.</summary>
    public static bool operator >=(Mfn left, Mfn right) => left.Value >= right.Value;

    /// <inheritdoc />
    public int CompareTo(Mfn other) => Value.CompareTo(other.Value);

    /// <summary>Hex, as Xen prints MFNs: <c>0x80000</c>.</summary>
    public override string ToString() => Hex.Format(Value);

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Hex.TryFormat(Value, destination, out charsWritten);

    /// <summary>Parses hex with or without <c>0x</c> and with <c>_</c> separators.</summary>
    public static Mfn Parse(string s, IFormatProvider? provider = null) => new(Hex.Parse(s, "MFN"));

    /// <summary>Parses hex with or without <c>0x</c> and with <c>_</c> separators.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Mfn result)
    {
        var ok = Hex.TryParse(s, out var v);
        result = new Mfn(v);
        return ok;
    }
}

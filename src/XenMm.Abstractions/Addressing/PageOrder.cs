using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace XenMm;

/// <summary>
/// A buddy order: a naturally aligned run of 2^order pages (Xen's <c>order</c> argument, <c>PFN_ORDER</c>).
/// Orders run from 0 to <see cref="MaxRepresentable"/>; the heap's own MAX_ORDER (18 on ARM now) is checked
/// by the heap, not here.
/// </summary>
public readonly record struct PageOrder : IComparable<PageOrder>
{
    /// <summary>The largest order whose byte size fits a 64-bit address (2^52 pages of 4 KiB).</summary>
    public const int MaxRepresentable = 64 - Addressing.PageShift;

    /// <summary>Creates an order; throws <see cref="XenMmException"/> (<see cref="MmError.InvalidOrder"/>) outside 0..52.</summary>
    public PageOrder(int value)
    {
        if ((uint)value > MaxRepresentable)
        {
            ThrowOutside(value);
        }

        Value = value;
    }

    // Out of line, so a caller that inlines the constructor has no interpolation handler in its frame to zero.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutside(int value) =>
        throw new XenMmException(MmError.InvalidOrder, $"Page order {value} is outside 0..{MaxRepresentable}.");

    /// <summary>The order itself.</summary>
    public int Value { get; }

    /// <summary>Number of pages: 2^order.</summary>
    public ulong Pages => 1UL << Value;

    /// <summary>Number of bytes: 2^(order + 12).</summary>
    public ulong Bytes => 1UL << (Value + Addressing.PageShift);

    /// <summary>The smallest order whose run holds at least <paramref name="pages"/> pages (Xen: get_order_from_pages).</summary>
    public static PageOrder FromPages(ulong pages) =>
        new(pages <= 1 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount(pages - 1));

    /// <summary>The smallest order whose run holds at least <paramref name="bytes"/> bytes (Xen: get_order_from_bytes).</summary>
    public static PageOrder FromBytes(ulong bytes) =>
        FromPages((bytes >> Addressing.PageShift) + ((bytes & Addressing.PageMask) != 0 ? 1UL : 0UL));

    /// <summary>Implicit conversion to the integer order.</summary>
    public static implicit operator int(PageOrder order) => order.Value;

    /// <summary>Explicit conversion from an integer, validated.</summary>
    public static explicit operator PageOrder(int value) => new(value);

    /// <inheritdoc />
    public int CompareTo(PageOrder other) => Value.CompareTo(other.Value);

    /// <summary>Compares two orders.</summary>
    public static bool operator <(PageOrder left, PageOrder right) => left.Value < right.Value;

    /// <summary>Compares two orders.</summary>
    public static bool operator >(PageOrder left, PageOrder right) => left.Value > right.Value;

    /// <summary>Compares two orders.</summary>
    public static bool operator <=(PageOrder left, PageOrder right) => left.Value <= right.Value;

    /// <summary>Compares two orders.</summary>
    public static bool operator >=(PageOrder left, PageOrder right) => left.Value >= right.Value;

    /// <inheritdoc />
    public override string ToString() => $"order {Value}";
}

namespace XenMm;

/// <summary>Page-size constants shared by every architecture XenMm models (4 KiB granule only, as Xen on ARM).</summary>
public static class Addressing
{
    /// <summary>Xen's PAGE_SHIFT: 12 on every ARM configuration.</summary>
    public const int PageShift = 12;

    /// <summary>Xen's PAGE_SIZE: 4096 bytes.</summary>
    public const ulong PageSize = 1UL << PageShift;

    /// <summary>Mask of the offset inside a page (PAGE_SIZE - 1).</summary>
    public const ulong PageMask = PageSize - 1;

    /// <summary>True when <paramref name="value"/> is a multiple of the power of two <paramref name="alignment"/>.</summary>
    public static bool IsAligned(ulong value, ulong alignment)
    {
        CheckPowerOfTwo(alignment);
        return (value & (alignment - 1)) == 0;
    }

    /// <summary>Rounds down to a multiple of the power of two <paramref name="alignment"/>.</summary>
    public static ulong AlignDown(ulong value, ulong alignment)
    {
        CheckPowerOfTwo(alignment);
        return value & ~(alignment - 1);
    }

    /// <summary>Rounds up to a multiple of the power of two <paramref name="alignment"/>; throws <see cref="OverflowException"/> past 2^64.</summary>
    public static ulong AlignUp(ulong value, ulong alignment)
    {
        CheckPowerOfTwo(alignment);
        return checked(value + (alignment - 1)) & ~(alignment - 1);
    }

    private static void CheckPowerOfTwo(ulong alignment)
    {
        if (!ulong.IsPow2(alignment))
        {
            throw new XenMmException(MmError.InvalidArgument, $"Alignment 0x{alignment:X} is not a power of two.");
        }
    }
}

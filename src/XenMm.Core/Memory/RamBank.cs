namespace XenMm.Memory;

/// <summary>
/// One bank of RAM as the device tree's <c>/memory</c> node gives it: a page-aligned, non-empty physical range
/// <c>[Start, Start + Size)</c>.
/// </summary>
public readonly record struct RamBank
{
    /// <summary>Creates a bank; throws <see cref="XenMmException"/> when it is empty, not page-aligned or wraps past 2^64.</summary>
    public RamBank(PhysAddr start, ulong size)
    {
        if (size == 0)
        {
            throw new XenMmException(MmError.InvalidArgument, $"RAM bank at {start} has size 0.");
        }

        if (!start.IsPageAligned || (size & Addressing.PageMask) != 0)
        {
            throw new XenMmException(MmError.Misaligned, $"RAM bank at {start} of size 0x{size:X} is not page-aligned.");
        }

        if (start.Value > ulong.MaxValue - size + 1)
        {
            throw new XenMmException(MmError.InvalidAddress, $"RAM bank at {start} of size 0x{size:X} wraps past 2^64.");
        }

        Start = start;
        Size = size;
    }

    /// <summary>First byte of the bank.</summary>
    public PhysAddr Start { get; }

    /// <summary>Size in bytes, a multiple of 4 KiB.</summary>
    public ulong Size { get; }

    /// <summary>One past the last byte (may be 2^64, shown as 0, for a bank that ends at the top of the space).</summary>
    public ulong End => Start.Value + Size;

    /// <summary>First frame of the bank.</summary>
    public Mfn StartMfn => Start.Mfn;

    /// <summary>Number of 4 KiB frames.</summary>
    public ulong Pages => Size >> Addressing.PageShift;

    /// <summary>True when <paramref name="address"/> lies inside the bank.</summary>
    public bool Contains(ulong address) => address - Start.Value < Size;

    /// <inheritdoc />
    public override string ToString() => $"[{Start}, 0x{End:X})";
}

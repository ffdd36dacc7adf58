namespace XenMm.Memory;

/// <summary>
/// A device (MMIO) range: it can be mapped (ioremap) but holds no simulated bytes, so loads and stores through
/// <see cref="PhysicalMemory"/> are refused.
/// </summary>
/// <param name="Start">First byte, page-aligned.</param>
/// <param name="Size">Size in bytes, a non-zero multiple of 4 KiB.</param>
/// <param name="Name">What the device is, for messages and dumps (for example <c>uart0</c>).</param>
public readonly record struct MmioRange(PhysAddr Start, ulong Size, string Name)
{
    /// <summary>One past the last byte.</summary>
    public ulong End => Start.Value + Size;

    /// <summary>True when <paramref name="address"/> lies inside the range.</summary>
    public bool Contains(ulong address) => address - Start.Value < Size;
}

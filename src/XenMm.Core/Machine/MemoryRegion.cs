namespace XenMm.Machine;

/// <summary>
/// A physical range <c>[Start, Start + Size)</c>: a reserved region (the device tree's <c>/memreserve/</c> entries
/// and <c>/reserved-memory</c> children, Xen's <c>bootinfo.reserved_mem</c>) or a bank before it is validated.
/// </summary>
/// <param name="Start">First byte.</param>
/// <param name="Size">Size in bytes.</param>
public readonly record struct MemoryRegion(PhysAddr Start, ulong Size)
{
    /// <summary>One past the last byte.</summary>
    public ulong End => Start.Value + Size;

    /// <summary>True when the two ranges share at least one byte.</summary>
    public bool Overlaps(ulong start, ulong end) => start < End && Start.Value < end;

    /// <inheritdoc />
    public override string ToString() => $"[{Start}, 0x{End:X})";
}

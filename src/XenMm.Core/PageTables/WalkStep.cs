namespace XenMm.PageTables;

/// <summary>One descriptor read by a table walk (Xen: one line of <c>dump_pt_walk</c>).</summary>
/// <param name="Level">The level of the table holding the descriptor.</param>
/// <param name="Index">The index of the descriptor in its table (0-511).</param>
/// <param name="DescriptorAddress">The physical address of the descriptor.</param>
/// <param name="Raw">The descriptor's raw value.</param>
/// <param name="Kind">What the descriptor is at that level.</param>
public readonly record struct WalkStep(int Level, int Index, PhysAddr DescriptorAddress, ulong Raw, DescriptorKind Kind)
{
    /// <inheritdoc />
    public override string ToString() => $"L{Level}[0x{Index:x3}] @{DescriptorAddress} = 0x{Raw:X16} {Kind}";
}

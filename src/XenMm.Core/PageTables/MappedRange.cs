namespace XenMm.PageTables;

/// <summary>A run of mapped virtual addresses with one attribute set, mapping physically contiguous memory.</summary>
/// <param name="Start">The first virtual address.</param>
/// <param name="PhysStart">The physical address <paramref name="Start"/> maps to.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Attributes">The attributes shared by every leaf of the run (the contiguous hint aside).</param>
public readonly record struct MappedRange(VirtAddr Start, PhysAddr PhysStart, ulong Size, LeafAttributes Attributes)
{
    /// <summary>One past the last virtual address.</summary>
    public ulong End => Start.Value + Size;

    /// <summary>
    /// One line as <c>xenmm pt dump</c> prints it: <c>0xVA-0xEND 0xPA size=0xSIZE attr=0xNN rw|ro x|xn</c>, END exclusive
    /// and attr the MAIR byte of the leaves' AttrIndx.
    /// </summary>
    public override string ToString() =>
        $"0x{Start.Value:X}-0x{End:X} 0x{PhysStart.Value:X} size=0x{Size:X} attr=0x{Mair.AttributeOf(Attributes.AttrIndx):X2} " +
        $"{(Attributes.ReadOnly ? "ro" : "rw")} {(Attributes.ExecuteNever ? "xn" : "x")}";
}

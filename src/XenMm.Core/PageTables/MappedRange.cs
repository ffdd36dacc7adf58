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
}

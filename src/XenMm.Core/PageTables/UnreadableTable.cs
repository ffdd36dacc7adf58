namespace XenMm.PageTables;

/// <summary>A table link whose table lies outside memory, so the walk could not read it (an external abort on a real walk).</summary>
/// <param name="Start">The first virtual address the table would translate.</param>
/// <param name="Size">The bytes of virtual address space the table would translate.</param>
/// <param name="Level">The table's level.</param>
/// <param name="Table">The table's physical address, as the link gives it.</param>
public readonly record struct UnreadableTable(VirtAddr Start, ulong Size, int Level, PhysAddr Table)
{
    /// <summary>
    /// One line as <c>xenmm pt dump</c> prints it: <c>0xVA-0xEND unreadable level-N table at 0xPA (outside the image)</c>,
    /// END exclusive.
    /// </summary>
    public override string ToString() =>
        $"0x{Start.Value:X}-0x{Start.Value + Size:X} unreadable level-{Level} table at 0x{Table.Value:X} (outside the image)";
}

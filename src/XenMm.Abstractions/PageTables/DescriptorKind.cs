namespace XenMm.PageTables;

/// <summary>What a long descriptor is at a given level, from its bits 1:0 (<see cref="Lpae.Classify"/>).</summary>
public enum DescriptorKind
{
    /// <summary>Bit 0 (valid) is clear; the other bits belong to software.</summary>
    Invalid,

    /// <summary>Levels 0-2 with the table bit set: a link to the next-level table.</summary>
    Table,

    /// <summary>Levels 1-2 with the table bit clear: a block (superpage) mapping.</summary>
    Block,

    /// <summary>Level 3 with the table bit set: a 4 KiB page mapping.</summary>
    Page,

    /// <summary>A valid encoding with no meaning: 0b01 at level 3, or a block at level 0.</summary>
    Reserved,
}

namespace XenMm.PageTables;

/// <summary>
/// A page-table format: the geometry of a translation regime with the 4 KiB granule and how its long
/// descriptors are built and read. Implemented by a <c>struct</c> with static members only, so that
/// <c>PageTables&lt;TFormat&gt;</c> is specialised per format by the JIT, with no virtual calls on the walk.
/// </summary>
/// <remarks>
/// Levels are numbered as Xen and the Arm ARM number them: 3 is the 4 KiB page level, the root is
/// <see cref="RootLevel"/> (0 on arm64, 1 on arm32, Xen's <c>HYP_PT_ROOT_LEVEL</c>). Every table is one 4 KiB
/// page of 512 eight-byte entries.
/// </remarks>
public interface IPageTableFormat
{
    /// <summary>A short name for messages and the CLI (<c>lpae</c>, <c>vmsa64</c>).</summary>
    static abstract string Name { get; }

    /// <summary>The level of the root table (Xen: <c>HYP_PT_ROOT_LEVEL</c>).</summary>
    static abstract int RootLevel { get; }

    /// <summary>log2 of the translation granule: 12 (4 KiB) for every format Xen uses on ARM, the default.</summary>
    static virtual int GranuleShift => Addressing.PageShift;

    /// <summary>Width of the input (virtual) address in bits; an address at or above 2^VaBits faults at the root.</summary>
    static abstract int VaBits { get; }

    /// <summary>Width of the output (physical) address in bits that mappings may use.</summary>
    static abstract int PaBits { get; }

    /// <summary>The descriptor bits holding the output address or next-level table address, in place.</summary>
    static abstract ulong OutputAddressMask { get; }

    /// <summary>True when a block (superpage) descriptor may appear at <paramref name="level"/>: by default levels 1 and 2 (never level 0 with 4 KiB).</summary>
    static virtual bool IsBlockLevel(int level) => level is 1 or 2;

    /// <summary>True when <paramref name="raw"/> at <paramref name="level"/> links to a next-level table; must agree with <see cref="Classify"/> (by default <see cref="Lpae.IsTable"/>). The walk tests it first at every level.</summary>
    static virtual bool IsTable(ulong raw, int level) => Lpae.IsTable(raw, level);

    /// <summary>True when <paramref name="raw"/> at <paramref name="level"/> maps memory (a block or a page); must agree with <see cref="Classify"/> (by default <see cref="Lpae.IsMapping"/>). The walk tests it on the descriptor it stops at.</summary>
    static virtual bool IsMapping(ulong raw, int level) => Lpae.IsMapping(raw, level);

    /// <summary>Classifies <paramref name="raw"/> found at <paramref name="level"/>; by default Xen's long-descriptor rules (<see cref="Lpae.Classify"/>).</summary>
    static virtual DescriptorKind Classify(ulong raw, int level) => Lpae.Classify(raw, level);

    /// <summary>The attribute bits of <paramref name="attributes"/> in this format: every bit of a descriptor except the address and bits 1:0.</summary>
    static abstract ulong EncodeAttributes(in LeafAttributes attributes);

    /// <summary>Reads the attribute fields of a descriptor (the inverse of <see cref="EncodeAttributes"/>).</summary>
    static abstract LeafAttributes DecodeAttributes(ulong raw);

    /// <summary>A table descriptor linking to <paramref name="table"/>, with <paramref name="attributeBits"/> from <see cref="EncodeAttributes"/> (0 for a bare link).</summary>
    static abstract ulong MakeTable(PhysAddr table, ulong attributeBits);

    /// <summary>A block (levels 1-2) or page (level 3) descriptor mapping <paramref name="output"/> with <paramref name="attributeBits"/> from <see cref="EncodeAttributes"/>.</summary>
    static abstract ulong MakeLeaf(PhysAddr output, int level, ulong attributeBits);
}

namespace XenMm.PageTables;

/// <summary>
/// The attribute fields of a stage-1 long descriptor at EL2, independent of the format that encodes them
/// (LPAE <c>lpae_pt_t</c> and VMSAv8-64 share the layout). A leaf carries all of them; Xen also writes them
/// into table descriptors, where the hardware ignores them.
/// </summary>
/// <param name="AttrIndx">Bits 4:2, the MAIR index.</param>
/// <param name="Shareability">Bits 9:8.</param>
/// <param name="AccessFlag">Bit 10 (AF). A leaf without it takes an access-flag fault.</param>
/// <param name="ReadOnly">Bit 7, AP[2].</param>
/// <param name="ExecuteNever">Bit 54, XN.</param>
/// <param name="NotGlobal">Bit 11, nG.</param>
/// <param name="NonSecure">Bit 5, NS.</param>
/// <param name="Unprivileged">Bit 6, AP[1] (Xen's <c>up</c>; RES1 at EL2).</param>
/// <param name="Contiguous">Bit 52, the contiguous hint.</param>
/// <param name="Software">Bits 58:55, ignored by hardware (Xen's <c>avail</c>).</param>
public readonly record struct LeafAttributes(
    MairIndex AttrIndx,
    Shareability Shareability,
    bool AccessFlag = true,
    bool ReadOnly = false,
    bool ExecuteNever = false,
    bool NotGlobal = false,
    bool NonSecure = false,
    bool Unprivileged = false,
    bool Contiguous = false,
    byte Software = 0)
{
    /// <summary>
    /// The entry Xen builds for a mapping-flag word: <c>mfn_to_xen_entry(mfn, PAGE_AI_MASK(flags))</c> followed by
    /// ro, xn and contig from the flags (Xen: <c>arch/arm/mmu/pt.c</c>, <c>xen_pt_update_entry</c>). NS, AP[1], AF and nG
    /// are set. Shareability is outer for device and non-cacheable memory, inner otherwise; in the 2013 profile
    /// it is outer always (2013 <c>mfn_to_xen_entry</c>).
    /// </summary>
    public static LeafAttributes FromXenFlags(PageFlags flags, XenProfile profile = XenProfile.Current)
    {
        var index = flags.AttrIndx();
        var shareability = profile == XenProfile.Xen2013 || index is MairIndex.MT_NORMAL_NC or MairIndex.MT_DEVICE_nGnRnE or MairIndex.MT_DEVICE_nGnRE
            ? Shareability.Outer
            : Shareability.Inner;
        return new LeafAttributes(
            index,
            shareability,
            AccessFlag: true,
            ReadOnly: (flags & PageFlags.Ro) != 0,
            ExecuteNever: (flags & PageFlags.Xn) != 0,
            NotGlobal: true,
            NonSecure: true,
            Unprivileged: true,
            Contiguous: (flags & PageFlags.Contig) != 0);
    }

    /// <summary>
    /// What Xen writes into a table descriptor it creates (Xen: <c>create_xen_table</c>,
    /// <c>mfn_to_xen_entry(mfn, MT_NORMAL)</c> with the table bit): MT_NORMAL, XN, and the rest as <see cref="FromXenFlags"/>.
    /// </summary>
    public static LeafAttributes XenTable(XenProfile profile = XenProfile.Current) =>
        FromXenFlags(PageFlags.Normal | PageFlags.Xn, profile);

    /// <summary>
    /// Checks that every field fits its bits (AttrIndx 0-7, Shareability 0-3, Software 0-15), as a format's
    /// <c>EncodeAttributes</c> does before it encodes them: an enum cast from a wider number would otherwise spill
    /// into the neighbouring fields.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/>, naming the field and its value.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] // once per update: three compares
    public void Validate()
    {
        if ((byte)AttrIndx > 7 || (byte)Shareability > 3 || Software > 15)
        {
            ThrowInvalid(this);
        }
    }

    private static void ThrowInvalid(LeafAttributes attributes)
    {
        var (field, value, range) = (byte)attributes.AttrIndx > 7 ? ("AttrIndx", (int)attributes.AttrIndx, "0-7 (bits 4:2)")
            : (byte)attributes.Shareability > 3 ? ("Shareability", (int)attributes.Shareability, "0-3 (bits 9:8)")
            : ("Software", attributes.Software, "0-15 (bits 58:55)");
        throw new XenMmException(MmError.InvalidArgument, $"Leaf attribute {field} {value} does not fit its field: it must be {range}.");
    }
}

using System.Runtime.CompilerServices;
using XenMm.PageTables;

namespace XenMm.Arm32.PageTables;

/// <summary>
/// The LPAE long-descriptor format of Xen's arm32 HYP stage 1 (<c>lpae_pt_t</c>): root at level 1
/// (Xen's <c>HYP_PT_ROOT_LEVEL</c> on arm32, only entries 0-3 reachable), 32-bit VA, 40-bit PA, blocks at
/// levels 1 (1 GiB) and 2 (2 MiB), pages at level 3. Entries are built and read through the generated
/// <see cref="LpaeEntry"/>, with Xen's field names.
/// </summary>
public readonly struct LpaeFormat : IPageTableFormat
{
    /// <inheritdoc />
    public static string Name => "lpae";

    /// <inheritdoc />
    public static int RootLevel => 1;

    /// <inheritdoc />
    public static int VaBits => 32;

    /// <inheritdoc />
    public static int PaBits => 40;

    /// <inheritdoc />
    public static ulong OutputAddressMask => LpaeEntry.BaseMask;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per update; a call costs more than the bit fields
    public static ulong EncodeAttributes(in LeafAttributes attributes) => default(LpaeEntry)
        .WithAi(attributes.AttrIndx)
        .WithNs(attributes.NonSecure)
        .WithUp(attributes.Unprivileged)
        .WithRo(attributes.ReadOnly)
        .WithSh(attributes.Shareability)
        .WithAf(attributes.AccessFlag)
        .WithNg(attributes.NotGlobal)
        .WithContig(attributes.Contiguous)
        .WithXn(attributes.ExecuteNever)
        .WithAvail(attributes.Software)
        .Raw;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LeafAttributes DecodeAttributes(ulong raw)
    {
        var e = new LpaeEntry(raw);
        return new LeafAttributes(e.Ai, e.Sh, e.Af, e.Ro, e.Xn, e.Ng, e.Ns, e.Up, e.Contig, e.Avail);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeTable(PhysAddr table, ulong attributeBits) =>
        new LpaeEntry(attributeBits).WithBase(table).WithTable(true).WithValid(true).Raw;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeLeaf(PhysAddr output, int level, ulong attributeBits) =>
        new LpaeEntry(attributeBits).WithBase(output).WithTable(level == Lpae.PageLevel).WithValid(true).Raw;
}

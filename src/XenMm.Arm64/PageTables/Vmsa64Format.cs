using System.Runtime.CompilerServices;
using XenMm.PageTables;

namespace XenMm.Arm64.PageTables;

/// <summary>
/// VMSAv8-64 stage 1 at EL2 with the 4 KiB granule, as Xen uses it on arm64: root at level 0 (TTBR0_EL2),
/// 48-bit VA, 48-bit PA, blocks at levels 1 (1 GiB) and 2 (2 MiB), pages at level 3. Entries are built and
/// read through the generated <see cref="Vmsa64Entry"/>.
/// </summary>
public readonly struct Vmsa64Format : IPageTableFormat
{
    /// <inheritdoc />
    public static string Name => "vmsa64";

    /// <inheritdoc />
    public static int RootLevel => 0;

    /// <inheritdoc />
    public static int VaBits => 48;

    /// <inheritdoc />
    public static int PaBits => 48;

    /// <inheritdoc />
    public static ulong OutputAddressMask => Vmsa64Entry.OutputAddressMask;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per update; a call costs more than the bit fields
    public static ulong EncodeAttributes(in LeafAttributes attributes) => default(Vmsa64Entry)
        .WithAttrIndx(attributes.AttrIndx)
        .WithNS(attributes.NonSecure)
        .WithAP1(attributes.Unprivileged)
        .WithReadOnly(attributes.ReadOnly)
        .WithSH(attributes.Shareability)
        .WithAF(attributes.AccessFlag)
        .WithNG(attributes.NotGlobal)
        .WithContiguous(attributes.Contiguous)
        .WithXN(attributes.ExecuteNever)
        .WithSoftware(attributes.Software)
        .Raw;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LeafAttributes DecodeAttributes(ulong raw)
    {
        var e = new Vmsa64Entry(raw);
        return new LeafAttributes(e.AttrIndx, e.SH, e.AF, e.ReadOnly, e.XN, e.NG, e.NS, e.AP1, e.Contiguous, e.Software);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeTable(PhysAddr table, ulong attributeBits) =>
        new Vmsa64Entry(attributeBits).WithOutputAddress(table).WithTable(true).WithValid(true).Raw;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeLeaf(PhysAddr output, int level, ulong attributeBits) =>
        new Vmsa64Entry(attributeBits).WithOutputAddress(output).WithTable(level == Lpae.PageLevel).WithValid(true).Raw;
}

using System.Runtime.CompilerServices;
using XenMm.PageTables;

namespace XenMm.Arm64.PageTables;

/// <summary>
/// VMSAv8-64 stage 1 at EL2 with the 4 KiB granule, as Xen uses it on arm64: root at level 0 (TTBR0_EL2),
/// 48-bit VA, 48-bit PA, blocks at levels 1 (1 GiB) and 2 (2 MiB), pages at level 3.
/// </summary>
public readonly struct Vmsa64Format : IPageTableFormat
{
    private const ulong Valid = 1UL << 0;
    private const ulong TableBit = 1UL << 1;
    private const int AttrIndxShift = 2;
    private const ulong NsBit = 1UL << 5;
    private const ulong ApUserBit = 1UL << 6;
    private const ulong ApRoBit = 1UL << 7;
    private const int ShShift = 8;
    private const ulong AfBit = 1UL << 10;
    private const ulong NgBit = 1UL << 11;
    private const ulong ContigBit = 1UL << 52;
    private const ulong XnBit = 1UL << 54;
    private const int SoftwareShift = 55;

    /// <inheritdoc />
    public static string Name => "vmsa64";

    /// <inheritdoc />
    public static int RootLevel => 0;

    /// <inheritdoc />
    public static int GranuleShift => Addressing.PageShift;

    /// <inheritdoc />
    public static int VaBits => 48;

    /// <inheritdoc />
    public static int PaBits => 48;

    /// <inheritdoc />
    public static ulong OutputAddressMask => 0x0000_FFFF_FFFF_F000UL;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBlockLevel(int level) => level is 1 or 2;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DescriptorKind Classify(ulong raw, int level)
    {
        if ((raw & Valid) == 0)
        {
            return DescriptorKind.Invalid;
        }

        if (level == 3)
        {
            return (raw & TableBit) != 0 ? DescriptorKind.Page : DescriptorKind.Reserved;
        }

        // No level-0 block with the 4 KiB granule (without FEAT_LPA2).
        return (raw & TableBit) != 0 ? DescriptorKind.Table : level == 0 ? DescriptorKind.Reserved : DescriptorKind.Block;
    }

    /// <inheritdoc />
    public static ulong EncodeAttributes(in LeafAttributes attributes) =>
        ((ulong)attributes.AttrIndx & 7) << AttrIndxShift
        | (attributes.NonSecure ? NsBit : 0)
        | (attributes.Unprivileged ? ApUserBit : 0)
        | (attributes.ReadOnly ? ApRoBit : 0)
        | ((ulong)attributes.Shareability & 3) << ShShift
        | (attributes.AccessFlag ? AfBit : 0)
        | (attributes.NotGlobal ? NgBit : 0)
        | (attributes.Contiguous ? ContigBit : 0)
        | (attributes.ExecuteNever ? XnBit : 0)
        | ((ulong)attributes.Software & 0xF) << SoftwareShift;

    /// <inheritdoc />
    public static LeafAttributes DecodeAttributes(ulong raw) => new(
        (MairIndex)((raw >> AttrIndxShift) & 7),
        (Shareability)((raw >> ShShift) & 3),
        AccessFlag: (raw & AfBit) != 0,
        ReadOnly: (raw & ApRoBit) != 0,
        ExecuteNever: (raw & XnBit) != 0,
        NotGlobal: (raw & NgBit) != 0,
        NonSecure: (raw & NsBit) != 0,
        Unprivileged: (raw & ApUserBit) != 0,
        Contiguous: (raw & ContigBit) != 0,
        Software: (byte)((raw >> SoftwareShift) & 0xF));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeTable(PhysAddr table, ulong attributeBits) =>
        (table.Value & OutputAddressMask) | attributeBits | TableBit | Valid;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeLeaf(PhysAddr output, int level, ulong attributeBits) =>
        (output.Value & OutputAddressMask) | attributeBits | (level == 3 ? TableBit : 0) | Valid;
}

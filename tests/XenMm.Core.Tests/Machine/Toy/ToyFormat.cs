using XenMm.PageTables;

namespace XenMm.Tests.Machine.Toy;

/// <summary>
/// A third page-table format, written by hand in the test assembly: 39-bit VA with the root at level 1 (three
/// levels, like a 39-bit VMSAv8-64 regime), 40-bit PA, the long-descriptor bit positions. Proves a format needs no
/// help from Core.
/// </summary>
internal readonly struct ToyFormat : IPageTableFormat
{
    private const ulong AddressMask = 0x0000_00FF_FFFF_F000;

    public static string Name => "toy39";

    public static int RootLevel => 1;

    public static int VaBits => 39;

    public static int PaBits => 40;

    public static ulong OutputAddressMask => AddressMask;

    public static ulong EncodeAttributes(in LeafAttributes a) =>
        ((ulong)a.AttrIndx << 2) | (a.NonSecure ? 1UL << 5 : 0) | (a.Unprivileged ? 1UL << 6 : 0) | (a.ReadOnly ? 1UL << 7 : 0)
        | ((ulong)a.Shareability << 8) | (a.AccessFlag ? 1UL << 10 : 0) | (a.NotGlobal ? 1UL << 11 : 0)
        | (a.Contiguous ? 1UL << 52 : 0) | (a.ExecuteNever ? 1UL << 54 : 0) | ((ulong)(a.Software & 0xF) << 55);

    public static LeafAttributes DecodeAttributes(ulong raw) => new(
        (MairIndex)((raw >> 2) & 7),
        (Shareability)((raw >> 8) & 3),
        AccessFlag: ((raw >> 10) & 1) != 0,
        ReadOnly: ((raw >> 7) & 1) != 0,
        ExecuteNever: ((raw >> 54) & 1) != 0,
        NotGlobal: ((raw >> 11) & 1) != 0,
        NonSecure: ((raw >> 5) & 1) != 0,
        Unprivileged: ((raw >> 6) & 1) != 0,
        Contiguous: ((raw >> 52) & 1) != 0,
        Software: (byte)((raw >> 55) & 0xF));

    public static ulong MakeTable(PhysAddr table, ulong attributeBits) => attributeBits | (table.Value & AddressMask) | 0b11;

    public static ulong MakeLeaf(PhysAddr output, int level, ulong attributeBits) =>
        attributeBits | (output.Value & AddressMask) | (level == Lpae.PageLevel ? 0b11UL : 0b01UL);
}

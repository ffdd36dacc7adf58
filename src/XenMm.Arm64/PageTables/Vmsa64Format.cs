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
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> when a field does not fit its bits (<see cref="LeafAttributes.Validate"/>).</exception>
    // Composed in one expression from the generated field positions rather than through the With chain: each With
    // clears its field before setting it, dead work from a zero start that the JIT keeps (85 instructions an encode
    // took, 72 now, once per map), and the chain refused a too-wide field with ArgumentOutOfRangeException.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per update; a call costs more than the bit fields
    public static ulong EncodeAttributes(in LeafAttributes attributes)
    {
        attributes.Validate();
        return ((ulong)attributes.AttrIndx << Vmsa64Entry.AttrIndxShift)
            | ((ulong)attributes.Shareability << Vmsa64Entry.SHShift)
            | ((ulong)attributes.Software << Vmsa64Entry.SoftwareShift)
            | Flag(attributes.NonSecure, Vmsa64Entry.NSShift)
            | Flag(attributes.Unprivileged, Vmsa64Entry.AP1Shift)
            | Flag(attributes.ReadOnly, Vmsa64Entry.ReadOnlyShift)
            | Flag(attributes.AccessFlag, Vmsa64Entry.AFShift)
            | Flag(attributes.NotGlobal, Vmsa64Entry.NGShift)
            | Flag(attributes.Contiguous, Vmsa64Entry.ContiguousShift)
            | Flag(attributes.ExecuteNever, Vmsa64Entry.XNShift);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LeafAttributes DecodeAttributes(ulong raw)
    {
        var e = new Vmsa64Entry(raw);
        return new LeafAttributes(e.AttrIndx, e.SH, e.AF, e.ReadOnly, e.XN, e.NG, e.NS, e.AP1, e.Contiguous, e.Software);
    }

    // MakeTable and MakeLeaf set bits 1:0 before the address rather than with WithTable and WithValid after it:
    // the same bits, but a caller's loop (W3 writes 262,144 leaves with one attribute set) hoists everything except
    // the address, where the With calls after it cleared and set each bit again per descriptor.

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeTable(PhysAddr table, ulong attributeBits) =>
        new Vmsa64Entry((attributeBits & ~3UL) | 3).WithOutputAddress(table).Raw;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeLeaf(PhysAddr output, int level, ulong attributeBits) =>
        new Vmsa64Entry((attributeBits & ~3UL) | (level == Lpae.PageLevel ? 3UL : 1UL)).WithOutputAddress(output).Raw;

    // The bool's byte (0 or 1 in anything but unsafe code) shifted into place: the conditional form compiled to a
    // compare, a setne and a zero-extension per flag, seven flags on every update.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Flag(bool value, int shift) => (ulong)Unsafe.BitCast<bool, byte>(value) << shift;
}

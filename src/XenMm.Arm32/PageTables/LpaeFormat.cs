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
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> when a field does not fit its bits (<see cref="LeafAttributes.Validate"/>).</exception>
    // Composed in one expression from the generated field positions rather than through the With chain: each With
    // clears its field before setting it, dead work from a zero start that the JIT keeps (85 instructions an encode
    // took, 72 now, once per map), and the chain refused a too-wide field with ArgumentOutOfRangeException.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per update; a call costs more than the bit fields
    public static ulong EncodeAttributes(in LeafAttributes attributes)
    {
        attributes.Validate();
        return ((ulong)attributes.AttrIndx << LpaeEntry.AiShift)
            | ((ulong)attributes.Shareability << LpaeEntry.ShShift)
            | ((ulong)attributes.Software << LpaeEntry.AvailShift)
            | Flag(attributes.NonSecure, LpaeEntry.NsShift)
            | Flag(attributes.Unprivileged, LpaeEntry.UpShift)
            | Flag(attributes.ReadOnly, LpaeEntry.RoShift)
            | Flag(attributes.AccessFlag, LpaeEntry.AfShift)
            | Flag(attributes.NotGlobal, LpaeEntry.NgShift)
            | Flag(attributes.Contiguous, LpaeEntry.ContigShift)
            | Flag(attributes.ExecuteNever, LpaeEntry.XnShift);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LeafAttributes DecodeAttributes(ulong raw)
    {
        var e = new LpaeEntry(raw);
        return new LeafAttributes(e.Ai, e.Sh, e.Af, e.Ro, e.Xn, e.Ng, e.Ns, e.Up, e.Contig, e.Avail);
    }

    // MakeTable and MakeLeaf set bits 1:0 before the address rather than with WithTable and WithValid after it:
    // the same bits, but a caller's loop (W3 writes 262,144 leaves with one attribute set) hoists everything except
    // the address, where the With calls after it cleared and set each bit again per descriptor.

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeTable(PhysAddr table, ulong attributeBits) =>
        new LpaeEntry((attributeBits & ~3UL) | 3).WithBase(table).Raw;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeLeaf(PhysAddr output, int level, ulong attributeBits) =>
        new LpaeEntry((attributeBits & ~3UL) | (level == Lpae.PageLevel ? 3UL : 1UL)).WithBase(output).Raw;

    // The bool's byte (0 or 1 in anything but unsafe code) shifted into place: the conditional form compiled to a
    // compare, a setne and a zero-extension per flag, seven flags on every update.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Flag(bool value, int shift) => (ulong)Unsafe.BitCast<bool, byte>(value) << shift;
}

using System.Runtime.CompilerServices;
using XenMm.Frames;
using XenMm.Layout;
using XenMm.Memory;

namespace XenMm.Arm64.DirectMapping;

/// <summary>
/// arm64's 1:1 map of all RAM at <c>DIRECTMAP_VIRT_START</c> (xen-mm.md §4.2): where it starts
/// (<c>directmap_virt_start</c>, VA ≡ PA mod 1 GiB), the first bank's MFN and PDX that anchor it, and Xen's
/// <c>maddr_to_virt</c> / <c>virt_to_maddr</c> over it, PDX-compressed as Xen's are. Built by the arm64
/// <c>setup_mm</c>; read-only and thread-safe afterwards.
/// </summary>
public sealed class DirectMap
{
    private readonly PhysicalMemory _memory;
    private readonly PdxMap _pdx;
    private ulong _virtStart;
    private ulong _basePdx;
    private ulong _slots;

    internal DirectMap(LayoutRegion region, PdxMap pdx, PhysicalMemory memory)
    {
        Region = region;
        _pdx = pdx;
        _memory = memory;
        MfnStart = Mfn.Invalid;
    }

    /// <summary>The layout's direct-map region (<c>DIRECTMAP_VIRT_START</c>, <c>DIRECTMAP_SIZE</c>).</summary>
    public LayoutRegion Region { get; }

    /// <summary><c>directmap_mfn_start</c>: the first RAM MFN (<see cref="Mfn.Invalid"/> before the first bank is added).</summary>
    public Mfn MfnStart { get; private set; }

    /// <summary><c>directmap_mfn_end</c>: one past the last RAM MFN.</summary>
    public Mfn MfnEnd { get; private set; }

    /// <summary><c>directmap_base_pdx</c>: the PDX of the first bank's first page.</summary>
    public Pdx BasePdx => new(_basePdx);

    /// <summary><c>XENHEAP_VIRT_START</c> (<c>directmap_virt_start</c>): where the first bank's first page is mapped.</summary>
    public VirtAddr VirtStart => new(_virtStart);

    /// <summary><c>directmap_virt_end</c> = <c>XENHEAP_VIRT_START + ram_end - ram_start</c>, as Xen computes it.</summary>
    public VirtAddr VirtEnd { get; private set; }

    /// <summary>Xen's <c>maddr_to_virt(ma)</c>: <c>XENHEAP_VIRT_START - (directmap_base_pdx &lt;&lt; 12) + maddr_to_directmapoff(ma)</c>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidAddress"/> when <paramref name="ma"/> is not RAM.</exception>
    public VirtAddr MaddrToVirt(PhysAddr ma)
    {
        if (!TryMaddrToVirt(ma, out var va))
        {
            ThrowNotRam(ma);
        }

        return va;
    }

    /// <summary><see cref="MaddrToVirt"/> without the throw: false when <paramref name="ma"/> is not RAM.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryMaddrToVirt(PhysAddr ma, out VirtAddr va)
    {
        ulong mfn = ma.Value >> Addressing.PageShift;
        if (_slots == 0 || mfn < MfnStart.Value || !_memory.IsRam(ma))
        {
            va = default;
            return false;
        }

        // Xen: ASSERT(pdx - directmap_base_pdx < DIRECTMAP_SIZE >> PAGE_SHIFT); the boot check makes it hold for RAM.
        ulong pdx = _pdx.ToPdx(new Mfn(mfn)).Value;
        va = new VirtAddr(_virtStart + ((pdx - _basePdx) << Addressing.PageShift) + (ma.Value & Addressing.PageMask));
        return true;
    }

    /// <summary>Xen's <c>virt_to_maddr</c> for a direct-map address.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidAddress"/> when <paramref name="va"/> maps no RAM through the direct map.</exception>
    public PhysAddr VirtToMaddr(VirtAddr va)
    {
        if (!TryVirtToMaddr(va, out var ma))
        {
            ThrowNotDirectMap(va);
        }

        return ma;
    }

    /// <summary><see cref="VirtToMaddr"/> without the throw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryVirtToMaddr(VirtAddr va, out PhysAddr ma)
    {
        ulong off = va.Value - _virtStart;
        if (_slots == 0 || va.Value < _virtStart || off >= _slots << Addressing.PageShift)
        {
            ma = default;
            return false;
        }

        ulong pdx = _basePdx + (off >> Addressing.PageShift);
        var mfn = _pdx.ToMfn(new Pdx(pdx));
        if (_pdx.ToPdx(mfn).Value != pdx || !_memory.IsRam(mfn))
        {
            ma = default;
            return false;
        }

        ma = new PhysAddr((mfn.Value << Addressing.PageShift) | (va.Value & Addressing.PageMask));
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"direct map {VirtStart}..{VirtEnd} for MFN {MfnStart}..{MfnEnd} (base PDX {BasePdx})";

    // Xen: setup_directmap_mappings' first call. The VA keeps the PA's offset inside its 1 GiB so blocks stay possible.
    internal void Anchor(Mfn baseMfn, ulong virtStart)
    {
        MfnStart = baseMfn;
        _basePdx = _pdx.ToPdx(baseMfn).Value;
        _virtStart = virtStart;
        // Xen: maddr_to_virt's ASSERT bounds the PDX offset by DIRECTMAP_SIZE, not by what is left after the offset.
        _slots = Region.Size >> Addressing.PageShift;
    }

    // Xen: setup_mm_helper's tail.
    internal void Finish(ulong ramStart, ulong ramEnd)
    {
        VirtEnd = new VirtAddr(_virtStart + ramEnd - ramStart);
        MfnStart = new Mfn(ramStart >> Addressing.PageShift);
        MfnEnd = new Mfn(ramEnd >> Addressing.PageShift);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotRam(PhysAddr ma) =>
        throw new XenMmException(MmError.InvalidAddress, $"Machine address {ma} is not RAM: the direct map does not cover it.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotDirectMap(VirtAddr va) =>
        throw new XenMmException(MmError.InvalidAddress, $"VA {va} does not map RAM through the direct map ({VirtStart} up).");
}

using XenMm.Machine;

namespace XenMm.Arm32.Heap;

/// <summary>
/// Where arm32's <c>setup_mm</c> puts the xenheap (xen-mm.md §3.2): its size rule for each profile, the halving
/// loop and <c>consider_modules</c>, which finds the highest aligned end that clears every boot module and
/// reserved region.
/// </summary>
/// <param name="Start">The first byte of the xenheap.</param>
/// <param name="End">One past the last byte (Xen's <c>e</c>).</param>
/// <param name="Pages">Xen's <c>xenheap_pages</c>.</param>
/// <param name="FromCommandLine">True when <c>xenheap_megabytes=</c> gave the size.</param>
public readonly record struct XenheapPlacement(ulong Start, ulong End, ulong Pages, bool FromCommandLine)
{
    private const ulong Align = 32UL << 20;
    private const ulong Pages32M = 32UL << (20 - Addressing.PageShift);
    private const ulong Pages128M = 128UL << (20 - Addressing.PageShift);
    private const ulong Pages1G = 1UL << (30 - Addressing.PageShift);

    /// <summary>The xenheap's MFN range (Xen: <c>[directmap_mfn_start, directmap_mfn_end)</c>).</summary>
    public MfnRange Range => new(new Mfn(Start >> Addressing.PageShift), Pages);

    /// <summary>
    /// Current Xen (arch/arm/arm32/mmu/mm.c, <c>setup_mm</c>): <c>xenheap_megabytes=</c> as given, or 1/32 of
    /// <paramref name="heapPages"/> rounded up to 32 MiB and clamped to [32 MiB, 1 GiB]; then
    /// <c>consider_modules</c> over <c>[ramStart, ramEnd)</c> (holes included), halving while above 32 MiB (never
    /// when the size came from the command line). Null when nothing fits (Xen: panic "Not enough space for xenheap").
    /// </summary>
    public static XenheapPlacement? Current(ulong ramStart, ulong ramEnd, ulong heapPages, ulong xenheapMegabytes, IReadOnlyList<BootModule> modules, IReadOnlyList<MemoryRegion> reserved)
    {
        ulong pages;
        if (xenheapMegabytes != 0)
        {
            // Xen: opt_xenheap_megabytes << (20 - PAGE_SHIFT) in a 32-bit unsigned long.
            pages = (xenheapMegabytes << (20 - Addressing.PageShift)) & uint.MaxValue;
        }
        else
        {
            pages = ((heapPages / 32) + 0x1fff) & ~0x1fffUL;
            pages = Math.Min(Math.Max(pages, Pages32M), Pages1G);
        }

        ulong e;
        do
        {
            e = ConsiderModules(ramStart, ramEnd, Size(pages), Align, 0, modules, reserved);
            if (e != 0)
            {
                break;
            }

            pages >>= 1;
        }
        while (xenheapMegabytes == 0 && pages > Pages32M);

        return e == 0 ? null : new XenheapPlacement(e - (pages << Addressing.PageShift), e, pages, xenheapMegabytes != 0);
    }

    /// <summary>
    /// Xen 4.4 (arch/arm/setup.c, <c>setup_mm</c>, 08693f5948): 1/8 of RAM rounded up to 32 MiB, at least 128 MiB, no
    /// command-line size; <c>consider_modules</c> over the region contiguous with bank 0 only, halving while above
    /// 128 MiB. Null when nothing fits (Xen: early_panic "Not not enough space for xenheap").
    /// </summary>
    public static XenheapPlacement? Xen2013(ulong contigStart, ulong contigEnd, ulong ramPages, IReadOnlyList<BootModule> modules, IReadOnlyList<MemoryRegion> reserved)
    {
        var pages = ((ramPages / 8) + 0x1fff) & ~0x1fffUL;
        pages = Math.Max(pages, Pages128M);
        ulong e;
        do
        {
            e = ConsiderModules(contigStart, contigEnd, Size(pages), Align, 0, modules, reserved);
            if (e != 0)
            {
                break;
            }

            pages >>= 1;
        }
        while (pages > Pages128M);

        return e == 0 ? null : new XenheapPlacement(e - (pages << Addressing.PageShift), e, pages, false);
    }

    /// <summary>
    /// Xen's <c>consider_modules(s, e, size, align, first_mod)</c> (arch/arm/mmu/setup.c): the end of the highest
    /// <paramref name="align"/>-aligned region of <paramref name="size"/> bytes in <c>[s, e)</c> that overlaps no boot
    /// module from <paramref name="firstMod"/> on and no reserved region (numbered after the modules), or 0.
    /// </summary>
    public static ulong ConsiderModules(ulong s, ulong e, uint size, ulong align, int firstMod, IReadOnlyList<BootModule> modules, IReadOnlyList<MemoryRegion> reserved)
    {
        ArgumentNullException.ThrowIfNull(modules);
        ArgumentNullException.ThrowIfNull(reserved);
        s = (s + align - 1) & ~(align - 1);
        e &= ~(align - 1);
        if (s > e || e - s < size)
        {
            return 0;
        }

        var i = firstMod;
        for (; i < modules.Count; i++)
        {
            var ms = modules[i].Start.Value;
            var me = modules[i].End;
            if (s < me && ms < e)
            {
                var above = ConsiderModules(me, e, size, align, i + 1, modules, reserved);
                return above != 0 ? above : ConsiderModules(s, ms, size, align, i + 1, modules, reserved);
            }
        }

        // Xen numbers the reserved regions after the modules: index i covers reserved[i - nr_mods].
        var nr = modules.Count;
        for (; i - nr < reserved.Count; i++)
        {
            var rs = reserved[i - nr].Start.Value;
            var re = reserved[i - nr].End;
            if (s < re && rs < e)
            {
                var above = ConsiderModules(re, e, size, align, i + 1, modules, reserved);
                return above != 0 ? above : ConsiderModules(s, rs, size, align, i + 1, modules, reserved);
            }
        }

        return e;
    }

    // Xen passes pfn_to_paddr(xenheap_pages) as consider_modules' uint32_t size.
    private static uint Size(ulong pages) => (uint)(pages << Addressing.PageShift);
}

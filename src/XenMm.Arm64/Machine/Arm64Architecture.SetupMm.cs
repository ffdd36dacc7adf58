using XenMm.Arm64.DirectMapping;
using XenMm.Arm64.Heap;
using XenMm.Arm64.PageTables;
using XenMm.Machine;
using XenMm.Memory;
using XenMm.PageTables;

namespace XenMm.Arm64.Machine;

// setup_mm: current Xen (arch/arm/mm.c setup_mm + arm64/mmu/mm.c setup_mm_helper) and Xen 4.4 (arch/arm/setup.c).
public sealed partial class Arm64Architecture
{
    private const int FirstShift = 30;
    private const ulong MfnsPerGb = 1UL << (FirstShift - Addressing.PageShift);

    /// <summary>
    /// Xen's arm64 <c>setup_mm</c>. Current: <c>populate_boot_allocator</c>, then <c>setup_directmap_mappings</c> for
    /// each bank in ascending order (the first fixes the direct map's start, VA ≡ PA mod 1 GiB; "Direct map is too
    /// small" beyond 5 TiB of PDX), then <c>init_frametable</c>. 2013 (4.4): 1 GiB blocks per bank from a static first
    /// table, the device tree copied into a boot allocation, the frame table, and <c>xenheap_max_mfn(ram_end)</c>.
    /// Registers the unified heap model and <c>map_domain_page</c> through the direct map.
    /// </summary>
    protected override void SetupMm(BootContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mappings = BootMappings(context);
        var banks = context.Memory.Banks.OrderBy(b => b.Start.Value).ToArray();
        var map = new DirectMap(context.Layout["DIRECTMAP_VIRT_START"], context.FrameTable.Pdx, context.Memory);
        var model = new UnifiedHeapModel(context.Domheap, map);
        var ramStart = banks[0].Start.Value;
        var ramEnd = banks.Max(b => b.End);
        if (context.Profile == XenProfile.Xen2013)
        {
            SetupMm44(context, mappings, map, banks);
        }
        else
        {
            context.PopulateBootAllocator();
            var maxPdx = context.FrameTable.Pdx.ToPdx(new Mfn((ramEnd >> Addressing.PageShift) - 1)).Value + 1;
            foreach (var bank in banks)
            {
                SetupDirectmapMappings(context, mappings, map, bank.StartMfn, bank.Pages, maxPdx);
            }
        }

        map.Finish(ramStart, ramEnd);
        var formula = _options.XenheapBitsFormula ?? XenheapMaxMfn.FormulaOf(context.Profile);
        if (_options.XenheapMaxMfn is { } maxMfn)
        {
            model.SetXenheapMaxMfn(maxMfn, formula);
        }
        else if (context.Profile == XenProfile.Xen2013)
        {
            // Xen 4.4: setup_mm passes xenheap_mfn_end, the exclusive end of RAM (removed in 0a7167d9b2, 2015).
            model.SetXenheapMaxMfn(new Mfn(ramEnd >> Addressing.PageShift), formula);
        }

        context.InitFrametable(mappings);
        context.SetHeapModel(model);
        context.SetDomainPageMapper(new DirectMapDomainPages(map, context.Options.Cpus));
    }

    // Xen: arm64/mmu/mm.c, setup_directmap_mappings.
    private static void SetupDirectmapMappings(BootContext context, XenMappings<Vmsa64Format> mappings, DirectMap map, Mfn baseMfn, ulong nrMfns, ulong maxPdx)
    {
        if (map.MfnStart == Mfn.Invalid)
        {
            var mfnGb = baseMfn.Value & ~(MfnsPerGb - 1);
            map.Anchor(baseMfn, map.Region.Start.Value + ((baseMfn.Value - mfnGb) << Addressing.PageShift));
            if (maxPdx - map.BasePdx.Value > map.Region.Size >> Addressing.PageShift)
            {
                throw context.Panic("Direct map is too small");
            }
        }

        if (baseMfn < map.MfnStart)
        {
            // Unreachable with Xen's sorted banks; kept as Xen keeps it.
            throw context.Panic($"cannot add directmap mapping at {baseMfn.Value:x} below heap start {map.MfnStart.Value:x}");
        }

        try
        {
            mappings.Map(map.MaddrToVirt(baseMfn.ToPhysAddr()), baseMfn, nrMfns, PageFlags.HypervisorRw | PageFlags.Block);
        }
        catch (XenMmException ex) when (ex.Error != MmError.BootFailed)
        {
            throw context.Panic($"Unable to setup the directmap mappings. ({ex.Message})");
        }
    }

    // Xen 4.4: arch/arm/setup.c setup_mm (CONFIG_ARM_64) with mm.c setup_xenheap_mappings.
    private static void SetupMm44(BootContext context, XenMappings<Vmsa64Format> mappings, DirectMap map, RamBank[] banks)
    {
        ulong size = 0, start = ulong.MaxValue, end = 0;
        for (var i = 0; i < banks.Length; i++)
        {
            size += banks[i].Pages << Addressing.PageShift;
            start = Math.Min(start, banks[i].Start.Value);
            end = Math.Max(end, banks[i].End);
            if (i > 0 && 2 * size < end - start)
            {
                // Xen 4.4 drops this bank and the rest with a WARNING; a XenMm machine's RAM is fixed when it is made.
                throw context.Panic($"only using {i} out of {banks.Length} memory banks (Xen 4.4 drops a bank that leaves less than half the spanned range as RAM; XenMm refuses the board).");
            }
        }

        var first = banks[0].StartMfn;
        if ((first.Value & (MfnsPerGb - 1)) != 0)
        {
            // Xen 4.4 wrote a 1 GiB block at a VA that is not 1 GiB-aligned here (fixed by 4d57153b52, 2014).
            throw context.Panic($"RAM starting at {first.ToPhysAddr()} is not 1 GiB-aligned; Xen 4.4's setup_xenheap_mappings cannot map it.");
        }

        context.PopulateBootAllocator();
        map.Anchor(first, map.Region.Start.Value);
        mappings.Tables.LinkTable(map.Region.Start, 1, context.TakeImagePage("xenheap_first_first"));
        foreach (var bank in banks)
        {
            var mfn = bank.StartMfn.Value & ~(MfnsPerGb - 1);
            var bankEnd = bank.StartMfn.Value + bank.Pages;
            for (; mfn < bankEnd; mfn += MfnsPerGb)
            {
                var va = map.Region.Start + ((mfn - first.Value) << Addressing.PageShift);
                if (mappings.Translate(va).IsFault)
                {
                    // 4.4 maps whole GiBs, also beyond the bank's end; a GiB two banks share is mapped once.
                    mappings.Map(va, new Mfn(mfn), MfnsPerGb, PageFlags.HypervisorRw | PageFlags.Block);
                }
            }
        }

        // Xen 4.4: the device tree is copied into boot pages before the frame table is built.
        if (context.Options.Modules.FirstOrDefault(m => m.Kind == BootModuleKind.DeviceTree) is { Size: > 0 } dtb)
        {
            context.BootAllocator.AllocBootPages((dtb.Size + Addressing.PageMask) >> Addressing.PageShift, 1, PageUse.BootStructure, "device tree copy");
        }
    }
}

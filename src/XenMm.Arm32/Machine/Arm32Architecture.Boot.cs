using XenMm.Arm32.DomainPages;
using XenMm.Arm32.Heap;
using XenMm.Arm32.Layout;
using XenMm.Arm32.PageTables;
using XenMm.Machine;
using XenMm.PageTables;

namespace XenMm.Arm32.Machine;

// The three arm32 boot steps, in Xen's words (arch/arm/mmu/setup.c, arm32/mmu/mm.c, mmu/smpboot.c,
// mmu/domain_page.c; 2013: arch/arm/setup.c and mm.c of 4.4).
public sealed partial class Arm32Architecture
{
    private const ulong GiB = 1UL << 30;

    /// <summary>
    /// Xen's <c>setup_pagetables</c>: CPU 0's root is the static <c>cpu0_pgtable</c>; entry 0 links the static
    /// <c>xen_second</c> (2013: entries 0 and 1, its two pages covering 0-2 GiB), which links <c>xen_xenmap</c> (Xen's
    /// image in 4 KiB pages) and <c>xen_fixmap</c>. All of them, and <c>cpu0_dommap</c>, are pages of Xen's image.
    /// </summary>
    protected override void SetupPageTables(BootContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var profile = context.Profile;
        var root = context.TakeImagePage("cpu0_pgtable");
        var xenSecond = profile == XenProfile.Xen2013
            ? new[] { context.TakeImagePage("xen_second[1]"), context.TakeImagePage("xen_second[0]") }.Reverse().ToArray()
            : [context.TakeImagePage("xen_second")];
        var xenmapPages = profile == XenProfile.Xen2013 ? 1 : 4; // Xen: XEN_NR_ENTRIES(2) (2013: one page)
        var xenmap = new Mfn[xenmapPages];
        for (var i = xenmapPages - 1; i >= 0; i--)
        {
            xenmap[i] = context.TakeImagePage($"xen_xenmap[{i}]");
        }

        var fixmap = context.TakeImagePage("xen_fixmap");
        context.TakeImagePage("cpu0_dommap[1]");
        var dommap = context.TakeImagePage("cpu0_dommap[0]");

        var tables = PageTables<LpaeFormat>.Create(context.Memory, context.TableFrames, root, LeafAttributes.XenTable(profile));
        for (var i = 0; i < xenSecond.Length; i++)
        {
            tables.LinkTable(new VirtAddr((ulong)i * GiB), 2, xenSecond[i]);
        }

        for (var i = 0; i < xenmapPages; i++)
        {
            tables.LinkTable(new VirtAddr(Arm32Layout.XenVirtStart + ((ulong)i << 21)), 3, xenmap[i]);
        }

        tables.LinkTable(context.Layout["FIXMAP_ADDR(0)"].Start, 3, fixmap);
        var mappings = new XenMappings<LpaeFormat>(tables, profile);

        // Xen breaks its own mapping into 4 KiB pages (text RX, rodata RO, the rest RW); XenMm maps the image RW.
        var image = context.XenImage;
        mappings.Map(new VirtAddr(Arm32Layout.XenVirtStart), image.Start.Mfn, (image.Size + Addressing.PageMask) >> Addressing.PageShift, PageFlags.HypervisorRw);

        var slots = new DomainPageSlots(context.Memory, profile, () => context.Vmap);
        if (profile == XenProfile.Xen2013)
        {
            // Xen 4.4 links cpu0_dommap here; current Xen in setup_mm's init_domheap_mappings.
            LinkDommap(tables, dommap);
        }

        _boots.AddOrUpdate(context, new BootState(mappings, root, xenSecond, dommap, slots));
        context.AddCpu(root.ToPhysAddr(), mappings);
    }

    /// <summary>
    /// Xen's arm32 <c>setup_mm</c>: places the xenheap (current: arm32/mmu/mm.c; 2013: Xen 4.4's setup.c), prints
    /// "Xen heap:" and "Dom heap:", populates the boot allocator without the xenheap, maps the xenheap at
    /// <c>XENHEAP_VIRT_START</c>, builds the frame table, prepares CPU 0's domheap slots and gives the xenheap to
    /// zone 0 through <c>init_xenheap_pages</c>.
    /// </summary>
    protected override void SetupMm(BootContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = State(context);
        HeapHook?.Invoke(context.Heap);
        var model = context.Profile == XenProfile.Xen2013 ? SetupMm2013(context, state) : SetupMmCurrent(context, state);
        state.Model = model;
        context.SetHeapModel(model);
        context.SetDomainPageMapper(state.Slots);
    }

    /// <summary>
    /// Xen's <c>prepare_secondary_mm</c> (2013: <c>init_secondary_pagetables</c>): a xenheap page for the CPU's root,
    /// a copy of CPU 0's, and an order-1 xenheap block for its dommap, zeroed and linked from root entries 2 and 3.
    /// </summary>
    protected override void InitSecondaryCpu(BootContext context, int cpu)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = State(context);
        var model = state.Model!;
        var memory = context.Memory;
        var current = context.Profile != XenProfile.Xen2013;
        var hasRoot = model.TryAllocXenheapPages(0, XenMm.Heap.MemFlags.None, out var rootVa);
        if (current && !hasRoot)
        {
            throw CpuFailed($"CPU{cpu}: Unable to allocate the root page-table");
        }

        var hasDommap = model.TryAllocXenheapPages(1, XenMm.Heap.MemFlags.None, out var dommapVa);
        if (!hasRoot || !hasDommap)
        {
            if (hasDommap)
            {
                model.FreeXenheapPages(dommapVa, 1);
            }

            if (hasRoot)
            {
                model.FreeXenheapPages(rootVa, 0);
            }

            throw CpuFailed(current ? $"CPU{cpu}: Unable to prepare the domheap page-tables" : $"Not enough free memory for secondary CPU{cpu} pagetables");
        }

        var root = model.VirtToMaddr(rootVa).Mfn;
        var dommap = model.VirtToMaddr(dommapVa).Mfn;
        Span<byte> page = stackalloc byte[(int)Addressing.PageSize];
        memory.Read(state.Root.ToPhysAddr(), page);
        memory.Write(root.ToPhysAddr(), page);
        memory.ZeroPage(dommap);
        memory.ZeroPage(dommap + 1);
        var tableBits = LpaeFormat.EncodeAttributes(LeafAttributes.XenTable(context.Profile));
        for (var i = 0; i < Arm32Layout.DomheapSecondPages; i++)
        {
            memory.WriteU64(root.ToPhysAddr() + (ulong)(2 + i) * 8, LpaeFormat.MakeTable((dommap + (ulong)i).ToPhysAddr(), tableBits));
        }

        state.Slots.AddCpu(root, dommap);
        if (current)
        {
            // Xen: set_init_ttbr writes init_ttbr (in Xen's image) through map_domain_page on the boot CPU, leaving
            // that 2 MiB slot valid with a count of 0.
            var va = state.Slots.Map(0, context.XenImage.Start.Mfn);
            state.Slots.Unmap(0, va);
        }

        context.AddCpu(root.ToPhysAddr(), new Arm32CpuMappings(state.Mappings, PageTables<LpaeFormat>.Attach(memory, root.ToPhysAddr())));
    }

    private static XenMmException CpuFailed(string xenLine) =>
        new(MmError.BootFailed, $"Xen prints \"{xenLine}\" and leaves the CPU offline; a XenMm machine boots all its CPUs.");

    private static void LinkDommap(PageTables<LpaeFormat> tables, Mfn dommap)
    {
        for (var i = 0; i < Arm32Layout.DomheapSecondPages; i++)
        {
            tables.LinkTable(new VirtAddr(Arm32Layout.DomheapVirtStart + ((ulong)i * GiB)), 2, dommap + (ulong)i);
        }
    }

    // Current Xen: arm32/mmu/mm.c, setup_mm.
    private SplitHeapModel SetupMmCurrent(BootContext context, BootState state)
    {
        var banks = context.Options.Ram;
        var ramStart = banks.Min(b => b.Start.Value);
        var ramEnd = banks.Max(b => b.End);
        var totalPages = banks.Aggregate(0UL, (s, b) => s + (b.Size >> Addressing.PageShift));
        var megabytes = context.CommandLine.XenheapMegabytes;
        var placement = XenheapPlacement.Current(ramStart, ramEnd, totalPages, megabytes, context.Options.Modules, context.Options.Reserved)
            ?? throw context.Panic("Not enough space for xenheap");

        // Xen: domheap_pages = heap_pages - xenheap_pages, both 32-bit unsigned longs.
        context.Log($"Xen heap: {placement.Start:x16}-{placement.End:x16} ({placement.Pages} pages{(placement.FromCommandLine ? ", from command-line" : string.Empty)})");
        context.Log($"Dom heap: {(uint)(totalPages - placement.Pages)} pages");
        if (placement.Pages > Arm32Layout.XenheapVirtSize >> Addressing.PageShift || placement.End < placement.Pages << Addressing.PageShift)
        {
            // A command-line size beyond the 1 GiB window: Xen's map_pages_to_xen of the directmap fails.
            throw context.Panic("Unable to setup the directmap mappings.");
        }

        var range = placement.Range;
        if (!context.Memory.Banks.Any(b => b.StartMfn <= range.Start && range.End.Value <= b.StartMfn.Value + b.Pages))
        {
            // Xen searches the whole span, holes included, and would map and hand out the hole; XenMm stops here.
            throw new XenMmException(MmError.BootFailed, $"Xen places the xenheap at {range}, which is not RAM (a hole in the span [0x{ramStart:X}, 0x{ramEnd:X})); Xen would use it anyway.");
        }

        var model = new SplitHeapModel(context.Heap, range, new VirtAddr(Arm32Layout.XenheapVirtStart), XenheapBuffers);
        context.PopulateBootAllocator(range);

        // Xen: setup_directmap_mappings: map_pages_to_xen(XENHEAP_VIRT_START, start, n, PAGE_HYPERVISOR_RW | _PAGE_BLOCK);
        // its second-level table is the first page the boot allocator hands out.
        try
        {
            state.Mappings.Map(new VirtAddr(Arm32Layout.XenheapVirtStart), range.Start, range.Pages, PageFlags.HypervisorRw | PageFlags.Block);
        }
        catch (XenMmException ex) when (ex.Error != MmError.BootFailed)
        {
            throw context.Panic("Unable to setup the directmap mappings.");
        }

        context.InitFrametable(state.Mappings);

        // Xen: init_domheap_mappings(0): cpu0_dommap, zeroed, linked from root entries 2 and 3.
        LinkDommap(state.Mappings.Tables, state.Dommap);
        state.Slots.AddCpu(state.Root, state.Dommap);
        model.InitXenheapPages(range.Start.ToPhysAddr(), range.End.ToPhysAddr(), context.InitHeapPages);
        return model;
    }
}

using XenMm.Arm64.Layout;
using XenMm.Arm64.PageTables;
using XenMm.Machine;
using XenMm.PageTables;

namespace XenMm.Arm64.Machine;

// setup_pagetables: Xen's static tables (pages of its image), linked as Xen links them, and Xen's image mapped page
// by page through xen_xenmap.
public sealed partial class Arm64Architecture
{
    private const ulong SecondSize = 1UL << 21;

    /// <summary>
    /// Xen's <c>setup_pagetables</c> (mmu/setup.c; 4.4: mm.c): <c>xen_pgtable</c> → <c>xen_first</c> →
    /// <c>xen_second</c> → <c>xen_xenmap</c> (Xen's image, 4 KiB pages) and <c>xen_fixmap</c>, plus (current Xen) the
    /// runtime identity-map tables <c>xen_first_id</c>/<c>xen_second_id</c>/<c>xen_third_id</c> at the image's
    /// physical address. Every table is a page of Xen's image; none comes from an allocator.
    /// </summary>
    protected override void SetupPageTables(BootContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var profile = context.Profile;
        var image = context.XenImage;
        if (!image.Start.IsPageAligned)
        {
            throw context.Panic($"Xen's image must start on a page; it is at {image.Start}.");
        }

        var layout = context.Layout;
        var xen = layout["XEN_VIRT_START"];
        var imagePages = (image.Size + Addressing.PageMask) >> Addressing.PageShift;
        if (image.Size > xen.Size)
        {
            // Xen: the linker script's ASSERT(_end - _start <= XEN_VIRT_SIZE).
            throw context.Panic($"Xen's image of 0x{image.Size:x} bytes does not fit XEN_VIRT_SIZE (0x{xen.Size:x}).");
        }

        var current = profile == XenProfile.Current;
        var idVa = new VirtAddr(image.Start.Value);
        if (current && (idVa.Value >> Arm64Layout.Slot0EntryBits) >= Arm64Layout.IdentityMappingAreaNrL0)
        {
            // Xen: arm64/mmu/mm.c, prepare_runtime_identity_mapping.
            throw context.Panic($"Cannot handle ID mapping above {Arm64Layout.IdentityMappingAreaNrL0 >> 1}TB");
        }

        var root = context.TakeImagePage("xen_pgtable");
        var tables = PageTables<Vmsa64Format>.Create(context.Memory, context.TableFrames, root, LeafAttributes.XenTable(profile));
        var xenSlot = new VirtAddr(xen.Start.Value & ~((1UL << 30) - 1));
        tables.LinkTable(xenSlot, 1, context.TakeImagePage("xen_first"));

        // xen_second covers XEN_VM_MAPPING's first GiB (4.4: two pages for the first 2 GiB of slot 0).
        var seconds = current ? 1 : 2;
        for (var i = 0; i < seconds; i++)
        {
            tables.LinkTable(xenSlot + ((ulong)i << 30), 2, context.TakeImagePage(seconds == 1 ? "xen_second" : $"xen_second[{i}]"));
        }

        // xen_xenmap: XEN_NR_ENTRIES(2) third-level tables for Xen's image (4.4: one).
        var xenmaps = (int)(xen.Size / SecondSize);
        for (var i = 0; i < xenmaps; i++)
        {
            tables.LinkTable(xen.Start + ((ulong)i * SecondSize), 3, context.TakeImagePage(xenmaps == 1 ? "xen_xenmap" : $"xen_xenmap[{i}]"));
        }

        tables.LinkTable(layout["FIXMAP_ADDR(0)"].Start, 3, context.TakeImagePage("xen_fixmap"));
        if (current)
        {
            // Xen: prepare_runtime_identity_mapping links the ID tables; the ID entry itself is written only around
            // a TTBR switch and removed again, so the third table stays empty.
            tables.LinkTable(idVa, 1, context.TakeImagePage("xen_first_id"));
            tables.LinkTable(idVa, 2, context.TakeImagePage("xen_second_id"));
            tables.LinkTable(idVa, 3, context.TakeImagePage("xen_third_id"));
        }

        var mappings = new XenMappings<Vmsa64Format>(tables, profile);

        // Xen maps its image RW first and then protects text (RX) and rodata (RO); XenMm does not know the
        // sections and leaves every page RW (docs/fidelity.md).
        mappings.Map(xen.Start, image.Start.Mfn, imagePages, PageFlags.HypervisorRw);
        EarlyFdtMap(context, mappings);
        context.AddCpu(tables.Root, mappings);
    }

    // Xen: mmu/setup.c early_fdt_map, called again right after setup_pagetables "to remap it in the new tables"
    // (4.4: setup_pagetables copies boot_second's FDT entry into xen_second): the blob's 2 MiB, and the next 2 MiB
    // when it crosses, as read-only blocks at BOOT_FDT_VIRT_START in the static xen_second. A machine given no blob
    // (options without a device-tree module) maps nothing; Xen would have panicked before this point.
    private static void EarlyFdtMap(BootContext context, XenMappings<Vmsa64Format> mappings)
    {
        if (context.Options.Modules.FirstOrDefault(m => m.Kind == BootModuleKind.DeviceTree) is not { Size: > 0 } fdt)
        {
            return;
        }

        var paddr = fdt.Start.Value;
        if (paddr % 8 != 0 || fdt.Size > SecondSize)
        {
            throw context.Panic($"Invalid device tree blob at physical address {fdt.Start}. The DTB must be 8-byte aligned and must not exceed 2 MB in size.");
        }

        var va = context.Layout["BOOT_FDT_VIRT_START"].Start;
        var basePaddr = paddr & ~(SecondSize - 1);
        const ulong pages = SecondSize >> Addressing.PageShift;
        mappings.Map(va, new Mfn(basePaddr >> Addressing.PageShift), pages, PageFlags.HypervisorRo | PageFlags.Block);
        if (paddr - basePaddr + fdt.Size > SecondSize && context.Profile == XenProfile.Current)
        {
            mappings.Map(va + SecondSize, new Mfn((basePaddr + SecondSize) >> Addressing.PageShift), pages, PageFlags.HypervisorRo | PageFlags.Block);
        }
    }
}

using XenMm.Arm32.Heap;
using XenMm.Arm32.Layout;
using XenMm.Arm32.PageTables;
using XenMm.Machine;
using XenMm.PageTables;

namespace XenMm.Arm32.Machine;

// The 2013 profile's setup_mm: Xen 4.4's arch/arm/setup.c (arm32 branch) and mm.c's setup_xenheap_mappings.
public sealed partial class Arm32Architecture
{
    private SplitHeapModel SetupMm2013(BootContext context, BootState state)
    {
        // Xen 4.4: the region contiguous with bank 0 holds the xenheap; other banks are accepted while at least half
        // of the whole span is RAM.
        var banks = context.Options.Ram;
        var ramSize = banks[0].Size;
        ulong contigStart = banks[0].Start.Value, contigEnd = banks[0].End;
        ulong ramStart = contigStart, ramEnd = contigEnd;
        for (var i = 1; i < banks.Count; i++)
        {
            var bs = banks[i].Start.Value;
            var be = banks[i].End;
            var newSize = ramSize + banks[i].Size;
            var newStart = Math.Min(ramStart, bs);
            var newEnd = Math.Max(ramEnd, be);
            if (bs == contigEnd)
            {
                contigEnd = be;
            }
            else if (be == contigStart)
            {
                contigStart = bs;
            }
            else if (2 * newSize < newEnd - newStart)
            {
                // Xen prints "WARNING: only using %d out of %d memory banks" and forgets the rest; XenMm's RAM is fixed.
                throw new XenMmException(MmError.BootFailed, $"Xen 4.4 would use only {i} of {banks.Count} memory banks (the rest make RAM too sparse); give the 2013 profile only those banks.");
            }

            ramSize = newSize;
            ramStart = newStart;
            ramEnd = newEnd;
        }

        var ramPages = ramSize >> Addressing.PageShift;
        var placement = XenheapPlacement.Xen2013(contigStart, contigEnd, ramPages, context.Options.Modules, context.Options.Reserved)
            ?? throw context.Panic("Not not enough space for xenheap");
        context.Log($"Xen heap: {placement.Start:x16}-{placement.End:x16} ({placement.Pages} pages)");
        context.Log($"Dom heap: {(uint)(ramPages - placement.Pages)} pages");
        if (placement.Pages > Arm32Layout.XenheapVirtSize >> Addressing.PageShift)
        {
            // 4.4 has no 1 GiB cap: above 8 GiB of RAM its 32 MiB mappings would run into the domheap area.
            throw new XenMmException(MmError.BootFailed, $"Xen 4.4 sizes a {placement.Pages}-page xenheap, beyond the 1 GiB window at XENHEAP_VIRT_START.");
        }

        var range = placement.Range;
        var model = new SplitHeapModel(context.Heap, range, new VirtAddr(Arm32Layout.XenheapVirtStart), XenheapBuffers);
        CreateXenheapMappings2013(context, state, range);

        // Xen 4.4: the top of the xenheap seeds the boot allocator (its first page holds the region list), the device
        // tree is copied there, then the rest of RAM is added without the modules and the xenheap.
        // ARM Xen 4.4 always boots with a device tree; its copy keeps the top of the xenheap allocated (the region-list
        // page below it is the only xenheap page the boot allocator gives back, so no free chunk meets the top edge).
        var dtb = context.Options.Modules.FirstOrDefault(m => m.Kind == BootModuleKind.DeviceTree);
        if (dtb.Size == 0)
        {
            throw new XenMmException(MmError.BootFailed, "Xen 4.4 on ARM boots from a device tree, which setup_mm copies to the top of the xenheap; the 2013 profile needs a device-tree module.");
        }

        var dtbPages = (dtb.Size + Addressing.PageMask) >> Addressing.PageShift;
        var bootMfnStart = range.End.Value - dtbPages - 1;
        context.BootAllocator.InitBootPages(new Mfn(bootMfnStart).ToPhysAddr(), range.End.ToPhysAddr());
        var copy = context.BootAllocator.AllocBootPages(dtbPages, 1, PageUse.BootStructure, "device tree copy");
        var bytes = new byte[dtb.Size];
        context.Memory.Read(dtb.Start, bytes);
        context.Memory.Write(copy.ToPhysAddr(), bytes);

        context.PopulateBootAllocator(range);
        context.InitFrametable(state.Mappings);
        state.Slots.AddCpu(state.Root, state.Dommap);

        // Xen 4.4: init_xenheap_pages(xenheap start, boot_mfn_start): the page at boot_mfn_start is xenheap, so only
        // the bottom gets a buffer page; the top went through the boot allocator.
        model.InitXenheapPages(range.Start.ToPhysAddr(), new Mfn(bootMfnStart).ToPhysAddr(), context.InitHeapPages);
        return model;
    }

    // Xen 4.4: setup_xenheap_mappings -> create_32mb_mappings: one 2 MiB block per 512 pages written straight into
    // xen_second (indexed linearly over its two pages), each with the contiguous hint, then a full TLB flush.
    private static void CreateXenheapMappings2013(BootContext context, BootState state, MfnRange range)
    {
        var bits = LpaeFormat.EncodeAttributes(LeafAttributes.XenTable(XenProfile.Xen2013) with { Contiguous = true });
        var first = state.XenSecond[0].ToPhysAddr() + ((Arm32Layout.XenheapVirtStart >> 21) * 8);
        var count = range.Pages / 512;
        for (var i = 0UL; i < count; i++)
        {
            var entry = first + (i * 8);
            var page = state.XenSecond[(int)((entry.Value - state.XenSecond[0].ToPhysAddr().Value) >> Addressing.PageShift)];
            var at = page.ToPhysAddr() + (entry.Value & Addressing.PageMask);
            context.Memory.WriteU64(at, LpaeFormat.MakeLeaf((range.Start + (i * 512)).ToPhysAddr(), 2, bits));
        }
    }
}

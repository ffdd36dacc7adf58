using XenMm.Arm64.PageTables;
using XenMm.Domains;
using XenMm.Heap;
using XenMm.Memory;
using XenMm.PageTables;
using XenMm.VirtualMapping;

namespace XenMm.Cli.Demo;

/// <summary>map_pages_to_xen and vmap on the same host, with table pages taken from the domheap as Xen takes them.</summary>
internal static class PageTableTour
{
    private const ulong VmapStart = 0x0000_0A00_4000_0000; // arm64 VMAP_DEFAULT

    // The domheap hands out table pages from the top of the bank, so its last 2 MiB hold every table.
    private const ulong TablesImageBase = 0xBFE0_0000;
    private const ulong TablesImageSize = 2UL << 20;

    /// <summary>Runs the tour; returns the root table's address.</summary>
    public static PhysAddr Run(TextWriter output, PhysicalMemory memory, BuddyHeap heap)
    {
        var frames = new DomheapFrameAllocator(new Domheap(heap));
        var xen = XenMappings<Vmsa64Format>.Create(memory, frames);
        output.WriteLine("2. Page tables (VMSAv8-64, 4 KiB granule, root level 0), tables from the domheap:");

        // A 2 MiB-aligned 4 MiB range with _PAGE_BLOCK becomes two level-2 blocks.
        xen.Map(new VirtAddr(0x0000_8000_0000_0000), new Mfn(0x80000), 1024, PageFlags.HypervisorRw | PageFlags.Block);
        foreach (var range in xen.Tables.Dump())
        {
            output.WriteLine($"   mapped: {range}");
        }

        var va = new VirtAddr(0x0000_8000_0012_3456);
        output.WriteLine($"   walk of {va}:");
        foreach (var step in xen.Tables.Walk(va))
        {
            output.WriteLine($"     {step}");
        }

        var translation = xen.Translate(va);
        output.WriteLine($"   translate: {va} -> {(translation.TryGetPhysAddr(out var pa) ? pa : translation)}");

        var vmap = new Vmap(xen, memory, frames);
        vmap.Init(VmapRegion.Default, new VirtAddr(VmapStart), new VirtAddr(VmapStart + (1UL << 30)));
        vmap.TryMap([new Mfn(0x90000)], out var mapped);
        vmap.TryIoRemapNoCache(new PhysAddr(0x1C09_0123), 0x100, out var uart);
        output.WriteLine("3. vmap (bitmap allocator in the region's own first pages, a guard page before each allocation):");
        output.WriteLine($"   vmap(MFN 0x90000) = {mapped}; ioremap_nocache(0x1C090123) = {uart}");
        output.WriteLine($"   uart leaf descriptor: 0x{xen.Translate(uart).Descriptor:X16} (MT_DEVICE_nGnRE, outer shareable, XN)");
        output.WriteLine($"   {xen.Tables.TablePages.Count} table pages in use; Dom heap now {heap.AvailHeapPages(1, heap.NrZones - 1)} pages free");
        return xen.Tables.Root;
    }

    /// <summary>Writes the RAM that holds the tables to <paramref name="file"/> and says how to walk it.</summary>
    public static void ExportTables(TextWriter output, PhysicalMemory memory, PhysAddr root, FileInfo file)
    {
        using (var stream = file.Create())
        {
            memory.ExportImage(new PhysAddr(TablesImageBase), TablesImageSize, stream);
        }

        output.WriteLine($"   wrote [0x{TablesImageBase:X}, 0x{TablesImageBase + TablesImageSize:X}) to {file.FullName}; walk it with:");
        output.WriteLine($"   xenmm pt dump --format vmsa64 --image {file.FullName} --base 0x{TablesImageBase:X} --root {root}");
    }
}

using XenMm.Arm64.PageTables;
using XenMm.Audit;
using XenMm.Domains;
using XenMm.Heap;
using XenMm.Memory;
using XenMm.PageTables;
using XenMm.VirtualMapping;

namespace XenMm.Arm64.Tests.Integration;

/// <summary>
/// Page tables and vmap taking their frames from the buddy heap, as Xen does once the boot allocator is gone
/// (Xen: arch/arm/mmu/pt.c create_xen_table -> alloc_domheap_page(NULL, 0); common/vmap.c vm_alloc, vmalloc).
/// </summary>
public class HeapBackedTablesTests
{
    private const ulong VmapStart = 0x0000_0A00_4000_0000;

    private sealed class Host
    {
        public Host()
        {
            Memory = new PhysicalMemory([new RamBank(new PhysAddr(0x8000_0000), 1UL << 30)], 48);
            Heap = new BuddyHeap(Memory, HeapConfig.Arm64);
            Heap.InitHeapPages(new Mfn(0x80000), 1UL << 18);
            Domheap = new Domheap(Heap);
            Frames = new DomheapFrameAllocator(Domheap);
            Xen = XenMappings<Vmsa64Format>.Create(Memory, Frames);
        }

        public PhysicalMemory Memory { get; }

        public BuddyHeap Heap { get; }

        public Domheap Domheap { get; }

        public DomheapFrameAllocator Frames { get; }

        public XenMappings<Vmsa64Format> Xen { get; }
    }

    [Fact]
    public void Tables_are_the_highest_domheap_pages_taken_one_by_one_and_zeroed()
    {
        var host = new Host();

        // Dirty the pages the heap will hand out next, so zeroing is observable.
        host.Memory.FillPage(new Mfn(0xBFFFE), 0xC2);
        host.Xen.Map(new VirtAddr(VmapStart), new Mfn(0x80123), 1, PageFlags.HypervisorRw);

        // One 1 GiB order-18 chunk: each order-0 allocation splits off the highest page (alloc_heap_pages keeps
        // the upper half), so the root, L1, L2 and L3 tables are 0xBFFFF, 0xBFFFE, 0xBFFFD, 0xBFFFC.
        Assert.Equal([new Mfn(0xBFFFC), new Mfn(0xBFFFD), new Mfn(0xBFFFE), new Mfn(0xBFFFF)], host.Xen.Tables.TablePages);
        Assert.Equal(new PhysAddr(0xBFFF_F000), host.Xen.Tables.Root);
        Assert.Equal((1UL << 18) - 4, host.Heap.TotalAvailPages);

        var trace = host.Xen.Tables.Walk(new VirtAddr(VmapStart));
        Assert.Equal(
            [new PhysAddr(0xBFFF_F000 + (20 * 8)), new PhysAddr(0xBFFF_E000 + (1 * 8)), new PhysAddr(0xBFFF_D000), new PhysAddr(0xBFFF_C000)],
            trace.Select(s => s.DescriptorAddress));
        Assert.Equal(0x0040_0000_8012_3F7FUL, trace[^1].Raw);

        // The dirtied L1 table was cleared before use: one link, 511 zero entries.
        var l1 = new byte[4096];
        host.Memory.Read(new PhysAddr(0xBFFF_E000), l1);
        Assert.Equal(1, Enumerable.Range(0, 512).Count(i => BitConverter.ToUInt64(l1, i * 8) != 0));
        Assert.Empty(new HeapAudit(host.Heap).Run());
    }

    [Fact]
    public void Destroy_keeps_the_tables_as_Xen_does()
    {
        var host = new Host();
        host.Xen.Map(new VirtAddr(VmapStart), new Mfn(0x80123), 1, PageFlags.HypervisorRw);
        host.Xen.Destroy(new VirtAddr(VmapStart), new VirtAddr(VmapStart + 0x1000));

        Assert.Equal(FaultKind.Translation, host.Xen.Translate(new VirtAddr(VmapStart)).Fault);
        Assert.Equal(4, host.Xen.Tables.TablePages.Count);
        Assert.Equal((1UL << 18) - 4, host.Heap.TotalAvailPages);
    }

    [Fact]
    public void Vmalloc_takes_order_0_domheap_pages_and_vfree_gives_them_back()
    {
        var host = new Host();
        var vmap = new XenMm.VirtualMapping.Vmap(host.Xen, host.Memory, host.Frames);
        vmap.Init(VmapRegion.Default, new VirtAddr(VmapStart), new VirtAddr(VmapStart + (1UL << 30)));
        var afterInit = host.Heap.TotalAvailPages;

        Assert.True(vmap.TryZalloc(3 * 4096, out var va));
        Assert.Equal(new VirtAddr(VmapStart + (9 * 4096)), va);
        Assert.Equal(afterInit - 3, host.Heap.TotalAvailPages);
        for (ulong page = 0; page < 3; page++)
        {
            var t = host.Xen.Translate(new VirtAddr(va.Value + (page * 4096)), AccessType.Write);
            Assert.False(t.IsFault);
            Assert.True(host.Memory.IsPageZero(t.PhysAddr.Mfn));
        }

        vmap.VFree(va);
        Assert.Equal(afterInit, host.Heap.TotalAvailPages);
        Assert.Equal(FaultKind.Translation, host.Xen.Translate(va).Fault);
        Assert.Empty(new HeapAudit(host.Heap).Run());
    }

    [Fact]
    public void A_heap_with_no_free_page_refuses_the_map_and_changes_nothing()
    {
        var host = new Host();
        while (host.Domheap.TryAllocPages(null, 0, default, out _))
        {
        }

        var before = host.Heap.StateHash();
        var ex = Assert.Throws<XenMmException>(() => host.Xen.Map(new VirtAddr(VmapStart), new Mfn(0x80123), 1, PageFlags.HypervisorRw));
        Assert.Equal(MmError.OutOfMemory, ex.Error);
        Assert.Equal(before, host.Heap.StateHash());
        Assert.Equal([host.Xen.Tables.Root.Mfn], host.Xen.Tables.TablePages);
    }
}

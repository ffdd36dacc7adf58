using XenMm.Arm32.Heap;
using XenMm.Machine;
using static XenMm.Arm32.Tests.Machine.Arm32TestBoards;

namespace XenMm.Arm32.Tests.Machine;

/// <summary>xen-mm.md Example 1 (arm32 xenheap placement, 2013 versus now), booted whole.</summary>
public class Example1Tests
{
    [Fact]
    public void Current_xenheap_range_buffers_and_log()
    {
        var m = Boot(Example1(XenProfile.Current));
        Assert.Equal(new MfnRange(new Mfn(0xFC000), 16384), m.HeapModel.XenheapRange);
        Assert.Contains(m.BootLog, l => l.FromXen && l.Text == "Xen heap: 00000000fc000000-0000000100000000 (16384 pages)");
        Assert.Contains(m.BootLog, l => l.FromXen && l.Text == "Dom heap: 507904 pages");
        Assert.Equal([new MfnRange(new Mfn(0xFC000), 1), new MfnRange(new Mfn(0xFFFFF), 1)], m.HeapModel.BufferPages);
        AssertConsistent(m);
    }

    [Fact]
    public void Current_zone0_chunks_are_Xens_chunking_of_FC001_to_FFFFF()
    {
        var m = Boot(Example1(XenProfile.Current));
        var chunks = FreeChunks(m, 0);
        Assert.Equal(Tiling(0xFC001, 0xFFFFF, 18), chunks);
        Assert.Equal(16382UL, m.Heap.Avail(0, 0));
        Assert.Equal((0xFC001UL, 0), chunks[0]);
        Assert.Equal((0xFC002UL, 1), chunks[1]);
        Assert.Contains((0xFC800UL, 11), chunks);
        Assert.Contains((0xFD000UL, 12), chunks);
        Assert.Contains((0xFE000UL, 12), chunks);
        Assert.Contains((0xFF000UL, 11), chunks);
        Assert.Contains((0xFF800UL, 10), chunks);
        Assert.Equal((0xFFFFEUL, 0), chunks[^1]);
    }

    [Fact]
    public void Current_xenheap_mapping_is_32_level2_blocks_in_two_contig_groups()
    {
        var m = Boot(Example1(XenProfile.Current));
        for (var i = 0UL; i < 32; i++)
        {
            var t = m.Mappings.Translate(new VirtAddr(0x4000_0000 + (i << 21)));
            Assert.Equal((false, 2), (t.IsFault, t.Level));
            Assert.Equal(0x0050_0000_0000_0F7DUL | (0xFC00_0000 + (i << 21)), t.Descriptor);
        }

        Assert.Equal(0x0050_0000_FC00_0F7DUL, m.Mappings.Translate(new VirtAddr(0x4000_0000)).Descriptor);
        Assert.True(m.Mappings.Translate(new VirtAddr(0x4400_0000)).IsFault);
        Assert.Equal(new PhysAddr(0xFC12_3456), m.Mappings.Translate(new VirtAddr(0x4012_3456)).PhysAddr);
    }

    [Fact]
    public void Xen2013_relocates_Xen_and_places_256MiB_below_it()
    {
        var m = Boot(Example1(XenProfile.Xen2013));
        Assert.Equal(new PhysAddr(0xFFE0_0000), m.Options.Modules[0].Start);
        Assert.Equal(new MfnRange(new Mfn(0xEE000), 65536), m.HeapModel.XenheapRange);
        Assert.Contains(m.BootLog, l => l.FromXen && l.Text == "Xen heap: 00000000ee000000-00000000fe000000 (65536 pages)");
        Assert.Contains(m.BootLog, l => l.FromXen && l.Text == "Dom heap: 458752 pages");

        // 4.4: only the bottom buffer; the top 17 pages went through the boot allocator (region list + DTB copy).
        Assert.Equal([new MfnRange(new Mfn(0xEE000), 1)], m.HeapModel.BufferPages);
        Assert.Equal(new MfnRange(new Mfn(0xFDFEF), 17), m.BootAllocator.Inits[0]);
        Assert.Equal(new Mfn(0xFDFEF), m.BootAllocator.RegionListPage);
        Assert.Equal((0xFDFF0UL, 16UL, 1UL), (m.BootAllocator.Allocations[0].Mfn.Value, m.BootAllocator.Allocations[0].Pages, m.BootAllocator.Allocations[0].Align));
        Assert.Equal(Tiling(0xEE001, 0xFDFF0, 20), FreeChunks(m, 0));
        AssertConsistent(m);
    }

    [Fact]
    public void Xen2013_mapping_is_128_contiguous_2MiB_blocks_written_straight()
    {
        var m = Boot(Example1(XenProfile.Xen2013));
        for (var i = 0UL; i < 128; i++)
        {
            var t = m.Mappings.Translate(new VirtAddr(0x4000_0000 + (i << 21)));
            Assert.Equal((false, 2), (t.IsFault, t.Level));
            Assert.Equal(0x0050_0000_0000_0E7DUL | (0xEE00_0000 + (i << 21)), t.Descriptor);
        }

        Assert.Equal(0x0050_0000_EE00_0E7DUL, m.Mappings.Translate(new VirtAddr(0x4000_0000)).Descriptor);
        Assert.True(m.Mappings.Translate(new VirtAddr(0x5000_0000)).IsFault);
    }

    [Fact]
    public void Consider_modules_matches_the_worked_steps()
    {
        // Xen 4.4 step 3: Xen at the top, the DTB low; the result is 0xFE00_0000.
        var modules = new List<BootModule> { Module(BootModuleKind.Xen, 0xFFE0_0000, 2 * MiB), Module(BootModuleKind.DeviceTree, 0x8800_0000, 0x1_0000) };
        Assert.Equal(0xFE00_0000UL, XenheapPlacement.ConsiderModules(0x8000_0000, 0x1_0000_0000, 0x1000_0000, 32 * MiB, 0, modules, []));

        // A reserved region is numbered after the modules; one covering the top pushes the xenheap below it.
        Assert.Equal(0xF800_0000UL, XenheapPlacement.ConsiderModules(0x8000_0000, 0x1_0000_0000, 0x1000_0000, 32 * MiB, 0, modules, [Bank(0xF900_0000, 0x10_0000)]));
        Assert.Equal(0UL, XenheapPlacement.ConsiderModules(0x8000_0000, 0x8100_0000, 0x1000_0000, 32 * MiB, 0, modules, []));
    }
}

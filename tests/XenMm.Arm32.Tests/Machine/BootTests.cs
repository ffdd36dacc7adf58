using XenMm.Arm32.Machine;
using XenMm.Machine;
using static XenMm.Arm32.Tests.Machine.Arm32TestBoards;

namespace XenMm.Arm32.Tests.Machine;

/// <summary>arm32 boots beyond the published ones: bank shapes, modules and reserved regions in the way, the command line, failures.</summary>
public class BootTests
{
    private static (ulong S, ulong E)[] Ranges(IEnumerable<MfnRange> ranges) => [.. ranges.Select(r => (r.Start.Value, r.End.Value))];

    private static (ulong, ulong, ulong)[] Allocs(XenMachine m) => [.. m.BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align))];

    private static bool Logged(XenMachine m, string line) => m.BootLog.Any(l => l.FromXen && l.Text == line);

    private static MachineOptions Board(params MemoryRegion[] ram) => new() { Ram = [.. ram], Cpus = 2 };

    [Fact]
    public void One_bank_512MiB_puts_32MiB_at_the_top()
    {
        var m = Boot(Board(Bank(0x8000_0000, 512 * MiB)));
        Assert.True(Logged(m, "Xen heap: 000000009e000000-00000000a0000000 (8192 pages)"));
        Assert.True(Logged(m, "Dom heap: 122880 pages"));
        Assert.Equal([(0x80000UL, 0x80010UL), (0x8015f, 0x9e000)], Ranges(m.BootAllocator.Inits));
        Assert.Equal([(0x9dfffUL, 1UL, 1UL), (0x9da00, 1024, 512), (0x9dffe, 1, 1), (0x9dffd, 1, 1)], Allocs(m));
        AssertConsistent(m);
    }

    [Fact]
    public void Four_GiB_of_RAM_gives_a_128MiB_xenheap_mapped_by_2MiB_blocks()
    {
        var m = Boot(Board(Bank(0x8000_0000, 4UL << 30)));
        Assert.True(Logged(m, "Xen heap: 0000000178000000-0000000180000000 (32768 pages)"));
        Assert.Equal(2, m.Mappings.Translate(new VirtAddr(0x4000_0000)).Level);
        AssertConsistent(m);
    }

    [Fact]
    public void Two_banks_with_a_hole_search_the_whole_span()
    {
        var m = Boot(Board(Bank(0x4000_0000, 256 * MiB), Bank(0x8000_0000, 512 * MiB)));
        Assert.True(Logged(m, "RAM: 0000000040000000 - 000000004fffffff"));
        Assert.True(Logged(m, "RAM: 0000000080000000 - 000000009fffffff"));
        Assert.True(Logged(m, "Xen heap: 000000009e000000-00000000a0000000 (8192 pages)"));
        Assert.True(Logged(m, "Dom heap: 188416 pages"));
        Assert.Equal([(0x40000UL, 0x40010UL), (0x4015f, 0x50000), (0x80000, 0x9e000)], Ranges(m.BootAllocator.Inits));
        AssertConsistent(m);
    }

    [Fact]
    public void A_xenheap_that_Xen_would_place_in_a_hole_is_refused()
    {
        // The span ends at 0x8100_0000, so consider_modules answers 0x8000_0000: Xen's xenheap would be the hole
        // [0x7e00_0000, 0x8000_0000), which is not RAM.
        var options = Board(Bank(0x4000_0000, 256 * MiB), Bank(0x8000_0000, 16 * MiB));
        var m = new XenMachine(options, new Arm32Architecture());
        var ex = Assert.Throws<XenMmException>(m.Boot);
        Assert.Equal(MmError.BootFailed, ex.Error);
        Assert.Contains("not RAM", ex.Message);
        Assert.False(m.IsBooted);
    }

    [Fact]
    public void A_module_at_the_top_of_RAM_pushes_the_xenheap_down_and_RAM_above_it_enters_the_boot_allocator()
    {
        var options = new Arm32Architecture().DefaultBoard();
        options.Modules.Add(Module(BootModuleKind.Ramdisk, 0x7FF0_0000, 1 * MiB));
        var m = Boot(options);
        Assert.True(Logged(m, "MODULE[3]: 000000007ff00000 - 000000007fffffff Ramdisk     "));
        Assert.True(Logged(m, "Xen heap: 000000007c000000-000000007e000000 (8192 pages)"));
        Assert.Equal(
            [(0x40000UL, 0x40010UL), (0x4015f, 0x42000), (0x42001, 0x48000), (0x48100, 0x7c000), (0x7e000, 0x7ff00)],
            Ranges(m.BootAllocator.Inits));
        Assert.Equal([(0x7feffUL, 1UL, 1UL), (0x7f600, 2048, 512), (0x7fefe, 1, 1), (0x7fefd, 1, 1)], Allocs(m));
        Assert.Equal([new MfnRange(new Mfn(0x7c000), 1), new MfnRange(new Mfn(0x7dfff), 1)], m.HeapModel.BufferPages);
        AssertConsistent(m);
    }

    [Fact]
    public void A_reserved_region_is_avoided_by_the_xenheap_and_the_boot_allocator()
    {
        var options = new Arm32Architecture().DefaultBoard();
        options.Reserved.Add(Bank(0x7F00_0000, 16 * MiB));
        var m = Boot(options);
        Assert.True(Logged(m, " RESVD[0]: 000000007f000000 - 000000007fffffff"));
        Assert.True(Logged(m, "Xen heap: 000000007c000000-000000007e000000 (8192 pages)"));
        Assert.Equal(
            [(0x40000UL, 0x40010UL), (0x4015f, 0x42000), (0x42001, 0x48000), (0x48100, 0x7c000), (0x7e000, 0x7f000)],
            Ranges(m.BootAllocator.Inits));
        Assert.Equal(4096UL, m.Census()[PageUse.Reserved]);
        AssertConsistent(m);
    }

    [Fact]
    public void Xenheap_megabytes_not_a_multiple_of_32_keeps_its_size_and_maps_4KiB_pages()
    {
        var options = new Arm32Architecture().DefaultBoard();
        options.CommandLine += " xenheap_megabytes=33";
        var m = Boot(options);
        Assert.True(Logged(m, "Xen heap: 000000007df00000-0000000080000000 (8448 pages, from command-line)"));
        Assert.True(Logged(m, "Dom heap: 253696 pages"));

        // 0x7df0_0000 is not 2 MiB-aligned: map_pages_to_xen uses level-3 pages: a second-level table and 17
        // third-level tables from the boot allocator (and one more for vmap).
        Assert.Equal(3, m.Mappings.Translate(new VirtAddr(0x4000_0000)).Level);
        Assert.Equal(1 + 17 + 1, m.BootAllocator.Allocations.Count(a => a.Use == PageUse.PageTable && a.Mfn.Value >= 0x70000));
        AssertConsistent(m);
    }

    [Fact]
    public void Xenheap_megabytes_beyond_RAM_is_not_halved_and_panics()
    {
        var options = new Arm32Architecture().DefaultBoard();
        options.CommandLine += " xenheap_megabytes=2048";
        var ex = Assert.Throws<XenMmException>(new XenMachine(options, new Arm32Architecture()).Boot);
        Assert.Equal(MmError.BootFailed, ex.Error);
        Assert.Contains("Not enough space for xenheap", ex.Message);
    }

    [Theory]
    [InlineData(XenProfile.Current, "Not enough space for xenheap")]
    [InlineData(XenProfile.Xen2013, "Not not enough space for xenheap")]
    public void RAM_too_small_for_any_xenheap_is_BootFailed(XenProfile profile, string xenMessage)
    {
        var options = new MachineOptions { Ram = [Bank(0x4000_0000, 24 * MiB)], Profile = profile };
        var m = new XenMachine(options, new Arm32Architecture());
        var ex = Assert.Throws<XenMmException>(m.Boot);
        Assert.Equal(MmError.BootFailed, ex.Error);
        Assert.Contains(xenMessage, ex.Message);
        Assert.False(m.IsBooted);
        Assert.Equal(MmError.BootFailed, Assert.Throws<XenMmException>(m.Boot).Error); // nothing was kept
    }

    [Fact]
    public void The_2013_profile_boots_the_default_board_with_Xen_relocated()
    {
        var arch = new Arm32Architecture();
        var options = arch.DefaultBoard();
        options.Profile = XenProfile.Xen2013;
        options.Modules.RemoveAll(mod => mod.Kind == BootModuleKind.Xen);
        var m = Boot(options, arch);
        Assert.Equal(new PhysAddr(0x7FE0_0000), m.Options.Modules[0].Start);
        Assert.True(Logged(m, "Xen heap: 0000000076000000-000000007e000000 (32768 pages)"));
        Assert.True(Logged(m, "Dom heap: 229376 pages"));
        Assert.Equal(2, m.Cpus.Count);
        AssertConsistent(m);
    }

    [Fact]
    public void Xen2013_refuses_banks_44_would_drop()
    {
        var options = new MachineOptions { Ram = [Bank(0x4000_0000, 512 * MiB), Bank(0x2_0000_0000, 256 * MiB)], Profile = XenProfile.Xen2013 };
        Assert.Equal(MmError.BootFailed, Assert.Throws<XenMmException>(new XenMachine(options, new Arm32Architecture()).Boot).Error);
    }

    [Fact]
    public void Xen2013_needs_a_device_tree()
    {
        var options = new MachineOptions { Ram = [Bank(0x4000_0000, 1UL << 30)], Profile = XenProfile.Xen2013 };
        var ex = Assert.Throws<XenMmException>(new XenMachine(options, new Arm32Architecture()).Boot);
        Assert.Equal(MmError.BootFailed, ex.Error);
        Assert.Contains("device tree", ex.Message, StringComparison.Ordinal);
    }
}

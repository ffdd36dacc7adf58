using XenMm.Arm64.Heap;
using XenMm.Arm64.Machine;
using XenMm.Arm64.Tests.Machine;
using XenMm.Heap;

namespace XenMm.Arm64.Tests.Heap;

/// <summary>xen-mm.md Example 2's <c>xenheap_bits</c>, through <see cref="Arm64Options"/>, and how they restrict the xenheap.</summary>
public class XenheapBitsTests
{
    private const ulong Gib = 1UL << 30;

    // RAM up to MFN 0x880000 (PA 0x8_8000_0000): 2 GiB at 2 GiB and 2 GiB at 32 GiB, plus the page at 0x8_8000_0000.
    private static XenMachine Boot(Arm64Options options, XenProfile profile = XenProfile.Current)
    {
        var board = Arm64Boards.Banks((2 * Gib, 2 * Gib), (32 * Gib, (2 * Gib) + 0x1000));
        board.Profile = profile;
        return Arm64Boards.Boot(board, options);
    }

    [Theory]
    [InlineData(XenheapBitsFormula.Jan2013, 35)] // fls(0x880000) + 12 - 1
    [InlineData(XenheapBitsFormula.Oct2013, 36)] // fls(0x880000) + 12: bits_to_zone(36) = 24 holds MFN 0x880000
    [InlineData(XenheapBitsFormula.Sep2015, 35)] // flsl(0x880001) - 1 + 12: zone 24 left out, why arm64 stopped calling it
    public void Example_2_xenheap_max_mfn_0x880000(XenheapBitsFormula formula, int bits)
    {
        var machine = Boot(new Arm64Options { XenheapMaxMfn = new Mfn(0x880000), XenheapBitsFormula = formula });
        Assert.Equal(bits, ((UnifiedHeapModel)machine.HeapModel).XenheapBits);
        Assert.Equal(bits, XenheapMaxMfn.Bits(new Mfn(0x880000), formula, 48));
        Assert.Empty(machine.Audit());
    }

    [Fact]
    public void Example_2_x86_5TiB_case_and_the_PADDR_BITS_cap()
    {
        Assert.Equal(42, XenheapMaxMfn.Bits(new Mfn(0x4FFF_FFFF), XenheapBitsFormula.Sep2015, 48));
        Assert.Equal(48, XenheapMaxMfn.Bits(new Mfn(0xFFFF_FFFF_FFFF), XenheapBitsFormula.Sep2015, 48));
        Assert.Throws<XenMmException>(() => XenheapMaxMfn.Bits(new Mfn(1), (XenheapBitsFormula)9, 48));
    }

    [Fact]
    public void Current_arm64_never_calls_it_so_there_is_no_limit()
    {
        var machine = Boot(new Arm64Options());
        var model = (UnifiedHeapModel)machine.HeapModel;
        Assert.Equal(0, model.XenheapBits);

        // The highest pages come first: with no MEMF_bits, a xenheap page is taken from the top zone (24).
        Assert.True(model.TryAllocXenheapPages(0, MemFlags.None, out var va));
        Assert.Equal(24, machine.Heap.ZoneOf(model.VirtToMaddr(va).Mfn));
    }

    [Fact]
    public void Xenheap_bits_restrict_xenheap_but_not_domheap_allocations()
    {
        var machine = Boot(new Arm64Options { XenheapMaxMfn = new Mfn(0x880000) }); // Sep 2015: 35 bits
        var model = (UnifiedHeapModel)machine.HeapModel;

        Assert.True(model.TryAllocXenheapPages(3, MemFlags.None, out var va));
        Assert.True(model.VirtToMaddr(va).Value < (1UL << 35));
        // A caller's wider MEMF_bits is dropped for xenheap_bits; a narrower one is kept.
        Assert.True(model.TryAllocXenheapPages(0, MemFlags.Bits(40), out va));
        Assert.True(model.VirtToMaddr(va).Value < (1UL << 35));
        Assert.True(model.TryAllocXenheapPages(0, MemFlags.Bits(32), out va));
        Assert.True(model.VirtToMaddr(va).Value < (1UL << 32));

        Assert.True(machine.Domheap.TryAllocPages(null, 0, MemFlags.None, out var mfn));
        Assert.True(mfn.ToPhysAddr().Value >= 1UL << 35); // the domheap still takes zone 24, above 2^35
        Assert.Empty(machine.Audit());
    }

    [Fact]
    public void The_2013_profile_calls_it_with_the_end_of_RAM()
    {
        var machine = Arm64Boards.Boot(new XenMm.Machine.MachineOptions
        {
            Ram = [new(new PhysAddr(Gib), Gib)],
            Profile = XenProfile.Xen2013,
        });
        Assert.Equal(32, ((UnifiedHeapModel)machine.HeapModel).XenheapBits); // fls(0x80000) + 12
    }

    [Fact]
    public void It_runs_once_and_only_before_the_heap_holds_pages()
    {
        var machine = Boot(new Arm64Options { XenheapMaxMfn = new Mfn(0x880000) });
        var model = (UnifiedHeapModel)machine.HeapModel;
        var ex = Assert.Throws<XenMmException>(() => model.SetXenheapMaxMfn(new Mfn(0x1000), XenheapBitsFormula.Sep2015));
        Assert.Equal(MmError.InvalidState, ex.Error);
        Assert.Equal(35, model.XenheapBits);

        var unset = (UnifiedHeapModel)Boot(new Arm64Options()).HeapModel;
        Assert.Throws<XenMmException>(() => unset.SetXenheapMaxMfn(new Mfn(0x1000), XenheapBitsFormula.Sep2015));
        Assert.Equal(0, unset.XenheapBits);
    }
}

using XenMm.Arm64.PageTables;
using XenMm.Domains;
using XenMm.Heap;
using XenMm.Memory;
using XenMm.PageTables;

namespace XenMm.PackageTests;

/// <summary>The README's "Declaring a descriptor" example, verbatim, so the README cannot drift.</summary>
[PageTableEntry]
[Reserved(51, 48)]
public readonly partial struct MyEntry
{
    [Bit(0)] public partial bool Valid { get; }
    [Bits(4, 2)] public partial MairIndex AttrIndx { get; }
    [Bits(9, 8)] public partial Shareability SH { get; }
    [Address(47, 12)] public partial PhysAddr OutputAddress { get; }
    [Bits(58, 55)] public partial byte Software { get; }
}

public class ReadmeExampleTests
{
    [Fact]
    public void Readme_example_holds()
    {
        var e = default(MyEntry).WithValid(true).WithAttrIndx(MairIndex.MT_NORMAL)
            .WithSH(Shareability.Inner).WithOutputAddress(new PhysAddr(0x8000_0000));
        Assert.Equal(0x0000_0000_8000_031DUL, e.Raw);
        Assert.Equal(0x1CUL, MyEntry.AttrIndxMask);
        Assert.Equal(2, MyEntry.AttrIndxShift);
        Assert.Equal("Valid=1 AttrIndx=MT_NORMAL(7) SH=Inner(3) OutputAddress=0x80000000 Software=0 [raw 0x000000008000031D]", e.ToString());
        Assert.Equal(6, MyEntry.Fields.Length);
    }

    [Fact]
    public void Readme_library_quick_start_holds()
    {
        var memory = new PhysicalMemory([new RamBank(new PhysAddr(0x8000_0000), 1UL << 30)], paBits: 48);
        var heap = new BuddyHeap(memory, HeapConfig.Arm64);
        heap.InitHeapPages(new Mfn(0x80000), 1UL << 18);
        Assert.True(heap.TryAlloc(1, heap.NrZones - 1, 0, MemFlags.None, out var mfn));
        Assert.Equal(new Mfn(0xBFFFF), mfn);

        var xen = XenMappings<Vmsa64Format>.Create(memory, new DomheapFrameAllocator(new Domheap(heap)));
        xen.Map(new VirtAddr(0x0000_8000_0000_0000), new Mfn(0x80000), 512, PageFlags.HypervisorRw | PageFlags.Block);
        var t = xen.Translate(new VirtAddr(0x0000_8000_0012_3456));
        Assert.Equal(new PhysAddr(0x8012_3456), t.PhysAddr);
        Assert.Equal(2, t.Level);
    }
}

/// <summary>The README's machine quick start, verbatim in substance, through the packed packages.</summary>
public class ReadmeMachineExampleTests
{
    [Fact]
    public void Readme_machine_quick_start_holds()
    {
        var arch = new XenMm.Arm32.Machine.Arm32Architecture();
        var machine = new XenMachine(arch.DefaultBoard(), arch);
        machine.Boot();
        Assert.Contains(machine.BootLog, l => l.Text == "Xen heap: 000000007e000000-0000000080000000 (8192 pages)");
        Assert.Equal(new MfnRange(new Mfn(0x7E000), 0x2000), machine.HeapModel.XenheapRange);
        Assert.True(machine.HeapModel.TryAllocXenheapPages(0, MemFlags.None, out var va));
        Assert.Equal(new VirtAddr(0x41FF_E000), va);
        var d = machine.CreateDomain(1, maxPages: 1024);
        Assert.True(machine.Domheap.TryAllocPages(d, 0, MemFlags.None, out var mfn));
        Assert.Equal(new Mfn(0x7DFFC), mfn);
        Assert.Equal(new VirtAddr(0xFDFF_C000), machine.DomainPages.Map(1, mfn));
        Assert.Equal(2UL, machine.Census()[XenMm.Machine.PageUse.Buffer]);
        Assert.Empty(machine.Audit());
    }
}

using XenMm.Domains;
using XenMm.Frames;
using XenMm.Heap;
using XenMm.Layout;
using XenMm.Memory;
using XenMm.VirtualMapping;

namespace XenMm.Machine;

/// <summary>Everything a machine is, built by one boot and handed to <see cref="XenMachine"/> only when the boot succeeds.</summary>
internal sealed class MachineState
{
    public MachineState(MachineOptions options, IArchitecture architecture, XenCommandLine commandLine)
    {
        Options = options;
        Architecture = architecture;
        CommandLine = commandLine;
        Layout = architecture.GetLayout(options.Profile) ?? throw new XenMmException(MmError.InvalidState, $"Architecture {architecture.Name} has no layout for {options.Profile}.");
        HeapConfig = architecture.GetHeapConfig(options.Profile) ?? throw new XenMmException(MmError.InvalidState, $"Architecture {architecture.Name} has no heap constants for {options.Profile}.");
        Memory = new PhysicalMemory(options.Ram.Select(r => new RamBank(r.Start, r.Size)), architecture.PaddrBits);
        Heap = new BuddyHeap(Memory, HeapConfig);
        FrameTable = Heap.FrameTable;
        Domheap = new Domheap(Heap);
        BootAllocator = new BootAllocator(options.Profile, architecture.BitsPerLong, commandLine.BadPageRanges());
        XenImage = options.Modules.First(m => m.Kind == BootModuleKind.Xen);
        TableFrames = new MachineFrameAllocator(this, PageUse.PageTable);
        VmapFrames = new MachineFrameAllocator(this, PageUse.Vmap);
    }

    public MachineOptions Options { get; }

    public IArchitecture Architecture { get; }

    public XenCommandLine CommandLine { get; }

    public IAddressSpaceLayout Layout { get; }

    public HeapConfig HeapConfig { get; }

    public PhysicalMemory Memory { get; }

    public FrameTable FrameTable { get; }

    public BuddyHeap Heap { get; }

    public Domheap Domheap { get; }

    public BootAllocator BootAllocator { get; }

    public BootModule XenImage { get; }

    public MachineFrameAllocator TableFrames { get; }

    public MachineFrameAllocator VmapFrames { get; }

    public List<MachineCpu> Cpus { get; } = [];

    public IHeapModel? HeapModel { get; set; }

    public IDomainPageMapper? DomainPages { get; set; }

    public Vmap? Vmap { get; set; }

    public List<BootLogLine> Log { get; } = [];

    /// <summary>Pages inside Xen's image taken for static tables, with what they hold.</summary>
    public List<(Mfn Mfn, string Purpose)> ImagePages { get; } = [];

    /// <summary>Run-time table and vmap frames taken from the domheap, by MFN.</summary>
    public Dictionary<ulong, PageUse> Frames { get; } = [];

    /// <summary>Boot-allocated table or vmap frames later freed into the heap.</summary>
    public HashSet<ulong> ReleasedBootFrames { get; } = [];

    /// <summary>Every range handed to the heap (<c>init_heap_pages</c>), for the census.</summary>
    public List<MfnRange> HeapRanges { get; } = [];

    /// <summary>The boot allocator's regions when <c>end_boot_allocator</c> started.</summary>
    public List<MfnRange> RegionsAtEnd { get; } = [];

    public List<Domain> Domains { get; } = [];

    public bool IsBootFrame(Mfn mfn, PageUse use) =>
        BootAllocator.Allocations.Any(a => a.Use == use && a.Range.Contains(mfn));
}

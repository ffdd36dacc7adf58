using System.Runtime.CompilerServices;
using XenMm.Arm32.DomainPages;
using XenMm.Arm32.Heap;
using XenMm.Arm32.Layout;
using XenMm.Arm32.PageTables;
using XenMm.Heap;
using XenMm.Layout;
using XenMm.Machine;
using XenMm.PageTables;

namespace XenMm.Arm32.Machine;

/// <summary>
/// Xen on arm32 (LPAE, 32-bit VA, 40-bit PA, CONFIG_SEPARATE_XENHEAP): the layout, the buddy constants, the split
/// xenheap placed by <c>setup_mm</c>, per-CPU root and dommap tables and <c>map_domain_page</c> slots, and the
/// default QEMU <c>virt</c> board of <c>shared/reference/real-xen.md</c>.
/// </summary>
/// <remarks>
/// <c>new XenMachine(arch.DefaultBoard(), arch).Boot()</c> prints Xen's lines and records the boot allocator's
/// steps exactly as the real Xen does on that board. One instance may boot any number of machines.
/// </remarks>
public sealed partial class Arm32Architecture : XenArchitecture<LpaeFormat>
{
    /// <summary>Where QEMU's <c>virt</c> board puts RAM (and Xen's image 64 KiB above it).</summary>
    public const ulong DefaultRamStart = 0x4000_0000;

    /// <summary>The command line of real-xen.md's arm32 boots.</summary>
    public const string DefaultCommandLine = "console=dtuart dtuart=/pl011@9000000 dom0_mem=64M loglvl=all guest_loglvl=all";

    private const ulong XenImageOffset = 0x1_0000;
    private const ulong XenImageSize = 0x14_f000;

    private readonly ConditionalWeakTable<BootContext, BootState> _boots = [];

    /// <summary>Creates the arm32 architecture.</summary>
    public Arm32Architecture()
        : this(xenheapBuffers: true)
    {
    }

    // xenheapBuffers: false is the test-only switch that drops init_xenheap_pages' one-page buffers; heapHook lets
    // such a test adjust the heap (its internal guards) before setup_mm hands it any page.
    internal Arm32Architecture(bool xenheapBuffers, Action<XenMm.Heap.BuddyHeap>? heapHook = null)
    {
        XenheapBuffers = xenheapBuffers;
        HeapHook = heapHook;
    }

    /// <inheritdoc />
    public override string Name => "arm32";

    /// <inheritdoc />
    public override int BitsPerLong => 32;

    /// <inheritdoc />
    public override int PaddrBits => 40;

    /// <inheritdoc />
    public override int PageInfoSize => 32;

    internal bool XenheapBuffers { get; }

    internal Action<XenMm.Heap.BuddyHeap>? HeapHook { get; }

    /// <inheritdoc />
    public override IAddressSpaceLayout GetLayout(XenProfile profile) => Arm32Layout.For(profile);

    /// <inheritdoc />
    public override HeapConfig GetHeapConfig(XenProfile profile) =>
        profile == XenProfile.Xen2013 ? HeapConfig.For(32, XenProfile.Xen2013) : HeapConfig.Arm32;

    /// <summary>
    /// real-xen.md's arm32 board: QEMU <c>virt</c> with 1 GiB of RAM at 0x4000_0000, 2 CPUs, Xen at 0x4001_0000
    /// (0x14f000 bytes), its device tree at 0x4800_0000 (1 MiB), a dom0 kernel at 0x4200_0000 (0x40 bytes), and
    /// that boot's command line.
    /// </summary>
    public override MachineOptions DefaultBoard() => new()
    {
        Ram = [new MemoryRegion(new PhysAddr(DefaultRamStart), 1UL << 30)],
        Modules =
        [
            new BootModule(BootModuleKind.Xen, new PhysAddr(DefaultRamStart + XenImageOffset), XenImageSize),
            new BootModule(BootModuleKind.DeviceTree, new PhysAddr(0x4800_0000), 0x10_0000),
            new BootModule(BootModuleKind.Kernel, new PhysAddr(0x4200_0000), 0x40),
        ],
        Cpus = 2,
        CommandLine = DefaultCommandLine,
    };

    /// <summary>
    /// Current Xen: where QEMU loads it, 64 KiB above the lowest bank (0x14f000 bytes). 2013 profile: where Xen 4.4
    /// relocated itself (<c>get_xen_paddr</c>): the highest 2 MiB-aligned place, below 4 GiB, in the banks contiguous
    /// with bank 0, clear of the other modules, its size rounded up to 2 MiB.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.BootFailed"/> when 4.4 would find no place ("Not enough memory to relocate Xen").</exception>
    public override BootModule DefaultXenImage(MachineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var banks = options.Ram.OrderBy(b => b.Start.Value).ToList();
        if (options.Profile != XenProfile.Xen2013)
        {
            return new BootModule(BootModuleKind.Xen, banks[0].Start + XenImageOffset, XenImageSize);
        }

        const ulong align = 2UL << 20;
        var minSize = (XenImageSize + align - 1) & ~(align - 1);
        ulong paddr = 0, lastEnd = banks[0].Start.Value;
        foreach (var bank in banks)
        {
            if (lastEnd != bank.Start.Value)
            {
                break; // Xen 4.4: "We can only deal with contiguous memory at the moment".
            }

            lastEnd = bank.End;
            if (bank.Size < minSize)
            {
                continue;
            }

            var e = XenheapPlacement.ConsiderModules(bank.Start.Value, bank.End, (uint)minSize, align, 0, options.Modules, options.Reserved);
            e = Math.Min(e, 1UL << 32);
            if (e == 0 || e < bank.Start.Value)
            {
                continue;
            }

            paddr = Math.Max(paddr, e - minSize);
        }

        return paddr != 0
            ? new BootModule(BootModuleKind.Xen, new PhysAddr(paddr), minSize)
            : throw new XenMmException(MmError.BootFailed, "Xen panics: Not enough memory to relocate Xen");
    }

    private BootState State(BootContext context) =>
        _boots.TryGetValue(context, out var state) ? state : throw new XenMmException(MmError.InvalidState, "setup_pagetables has not run on this boot.");

    // What one boot builds across the steps (the architecture object itself may boot several machines).
    private sealed class BootState(XenMappings<LpaeFormat> mappings, Mfn root, Mfn[] xenSecond, Mfn dommap, DomainPageSlots slots)
    {
        public XenMappings<LpaeFormat> Mappings { get; } = mappings;

        public Mfn Root { get; } = root;

        public Mfn[] XenSecond { get; } = xenSecond;

        public Mfn Dommap { get; } = dommap;

        public DomainPageSlots Slots { get; } = slots;

        public SplitHeapModel? Model { get; set; }
    }
}

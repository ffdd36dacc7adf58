using XenMm.Arm64.Layout;
using XenMm.Arm64.PageTables;
using XenMm.Heap;
using XenMm.Layout;
using XenMm.Machine;
using XenMm.PageTables;

namespace XenMm.Arm64.Machine;

/// <summary>
/// The arm64 architecture plug-in: VMSAv8-64 tables rooted at level 0 and shared by every CPU, the arm64 layout,
/// the direct map of all RAM, the unified heap (<c>PGC_xen_heap</c>) and <c>map_domain_page</c> through the direct
/// map. Boot follows Xen's <c>start_xen</c>: <c>setup_pagetables</c>, <c>setup_mm</c> (boot allocator, direct map, frame
/// table), <c>vm_init</c>, <c>end_boot_allocator</c> (2013: before <c>vm_init</c>), then the secondary CPUs.
/// </summary>
/// <remarks>Stateless between machines: one instance can boot any number of them.</remarks>
public sealed partial class Arm64Architecture : XenArchitecture<Vmsa64Format>
{
    /// <summary>The command line of the QEMU boot in <c>shared/reference/real-xen.md</c>.</summary>
    public const string QemuCommandLine = "console=dtuart dtuart=/pl011@9000000 dom0_mem=64M loglvl=all guest_loglvl=all";

    /// <summary>Where the boot loader puts Xen's image above the start of RAM (QEMU <c>virt</c>: 0x40200000 for RAM at 0x40000000).</summary>
    public const ulong XenImageOffset = 0x20_0000;

    /// <summary>The size of Xen's image in the real-xen.md build (<c>_end - _start</c>).</summary>
    public const ulong XenImageSize = 0x17_3000;

    private readonly Arm64Options _options;

    /// <summary>Creates the plug-in.</summary>
    /// <param name="options">arm64 settings (<c>xenheap_max_mfn</c>); copied. Null for Xen's defaults.</param>
    public Arm64Architecture(Arm64Options? options = null)
    {
        _options = options?.Clone() ?? new Arm64Options();
    }

    /// <inheritdoc />
    public override string Name => "arm64";

    /// <inheritdoc />
    public override int BitsPerLong => 64;

    /// <inheritdoc />
    public override int PageInfoSize => 56;

    /// <summary>The arm64 settings this plug-in boots with (a copy).</summary>
    public Arm64Options Options => _options.Clone();

    /// <inheritdoc />
    public override IAddressSpaceLayout GetLayout(XenProfile profile) => Arm64Layout.For(profile);

    /// <inheritdoc />
    public override HeapConfig GetHeapConfig(XenProfile profile) => HeapConfig.For(64, profile);

    /// <summary>
    /// The QEMU <c>virt</c> board of <c>shared/reference/real-xen.md</c> (arm64, 1 GiB): RAM at 0x4000_0000, Xen at
    /// 0x40200000, QEMU's device tree at 0x48000000 (1 MiB), the dom0 kernel at 0x42000000 (0x50 bytes), 2 CPUs,
    /// the same command line.
    /// </summary>
    public override MachineOptions DefaultBoard() => new()
    {
        Ram = [new MemoryRegion(new PhysAddr(0x4000_0000), 0x4000_0000)],
        Modules =
        [
            new BootModule(BootModuleKind.Xen, new PhysAddr(0x4000_0000 + XenImageOffset), XenImageSize),
            new BootModule(BootModuleKind.DeviceTree, new PhysAddr(0x4800_0000), 0x10_0000),
            new BootModule(BootModuleKind.Kernel, new PhysAddr(0x4200_0000), 0x50),
        ],
        Cpus = 2,
        CommandLine = QemuCommandLine,
    };

    /// <summary>Xen's image 2 MiB above the start of the lowest RAM bank, of the real-xen.md build's size.</summary>
    public override BootModule DefaultXenImage(MachineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var first = options.Ram.MinBy(b => b.Start.Value);
        return new BootModule(BootModuleKind.Xen, first.Start + XenImageOffset, XenImageSize);
    }

    /// <summary>arm64 shares <c>xen_pgtable</c> between all CPUs (mmu/setup.c): a secondary CPU gets the boot CPU's root.</summary>
    protected override void InitSecondaryCpu(BootContext context, int cpu)
    {
        ArgumentNullException.ThrowIfNull(context);
        var boot = context.Cpus[0];
        context.AddCpu(boot.Root, boot.Mappings);
    }

    private static XenMappings<Vmsa64Format> BootMappings(BootContext context) =>
        (XenMappings<Vmsa64Format>)context.Cpus[0].Mappings;
}

using XenMm.Machine;

namespace XenMm.DeviceTree;

/// <summary>
/// What Xen's early boot on ARM reads from the device tree it is handed (Xen: common/device-tree/bootinfo-fdt.c,
/// <c>boot_fdt_info</c> and <c>boot_fdt_cmdline</c>): RAM banks, reserved regions, boot modules and Xen's command
/// line, each decided by Xen's own rules. See docs/device-tree.md for what is read and what is ignored.
/// </summary>
public sealed class DeviceTreeBootInfo
{
    private DeviceTreeBootInfo(FlattenedDeviceTree tree, BootFdtScan scan)
    {
        Tree = tree;
        TotalSize = tree.TotalSize;
        MemoryBanks = [.. scan.Memory];
        // Xen: boot_fdt_info sorts the banks by start so that the lowest comes first (cmp_memory_node).
        SortedMemoryBanks = [.. scan.Memory.OrderBy(b => b.Start.Value)];
        MemReserve = [.. scan.ReservedOf(staticHeap: false, memReserve: true)];
        ReservedMemory = [.. scan.ReservedOf(staticHeap: false, memReserve: false)];
        StaticHeap = [.. scan.ReservedOf(staticHeap: true, memReserve: false)];
        Modules = [.. scan.Modules];
        KernelCommandLine = scan.KernelCmdline;
        CommandLine = scan.BootFdtCmdline();
    }

    /// <summary>The parsed tree the information was read from.</summary>
    public FlattenedDeviceTree Tree { get; }

    /// <summary>The blob's size (<c>fdt_totalsize</c>): what Xen reserves as the device-tree module.</summary>
    public uint TotalSize { get; }

    /// <summary>
    /// RAM banks from every <c>memory</c> node, in blob order (Xen: <c>process_memory_node</c>); empty banks are left
    /// out. Xen sorts them afterwards: see <see cref="SortedMemoryBanks"/>.
    /// </summary>
    public IReadOnlyList<MemoryRegion> MemoryBanks { get; }

    /// <summary>The RAM banks in the order Xen keeps them after <c>boot_fdt_info</c> sorts them, lowest start first.</summary>
    public IReadOnlyList<MemoryRegion> SortedMemoryBanks { get; }

    /// <summary>The <c>/memreserve/</c> entries (Xen: bootinfo.reserved_mem banks of type MEMBANK_FDT_RESVMEM).</summary>
    public IReadOnlyList<MemoryRegion> MemReserve { get; }

    /// <summary>The <c>reg</c> ranges of the <c>/reserved-memory</c> children (Xen: <c>process_reserved_memory</c>).</summary>
    public IReadOnlyList<MemoryRegion> ReservedMemory { get; }

    /// <summary>
    /// The <c>xen,static-heap</c> banks of <c>/chosen</c> (Xen: MEMBANK_STATIC_HEAP banks of reserved_mem); kept
    /// apart because Xen later gives them to the heap instead of leaving them reserved.
    /// </summary>
    public IReadOnlyList<MemoryRegion> StaticHeap { get; }

    /// <summary>
    /// The boot modules in Xen's order (<c>MODULE[n]</c>): those passed to <see cref="ReadLoadedAt"/> first, then
    /// the modules under <c>/chosen</c> and the <c>linux,initrd-*</c> ramdisk as the scan meets them, after Xen's
    /// overlap and duplicate rules (Xen: <c>add_boot_module</c>).
    /// </summary>
    public IReadOnlyList<BootModule> Modules { get; }

    /// <summary>
    /// Xen's command line as <c>boot_fdt_cmdline</c> chooses it: <c>xen,xen-bootargs</c> of <c>/chosen</c>, else its
    /// <c>bootargs</c> when the dom0 kernel module has a command line of its own or <c>xen,dom0-bootargs</c> exists;
    /// null when there is none.
    /// </summary>
    public string? CommandLine { get; }

    /// <summary>The dom0 kernel module's <c>bootargs</c> (Xen: <c>boot_cmdline_find_by_kind(BOOTMOD_KERNEL)</c>), or null.</summary>
    public string? KernelCommandLine { get; }

    /// <summary>
    /// Reads a blob as Xen's early boot would, without the device-tree module itself (see <see cref="ReadLoadedAt"/>).
    /// </summary>
    /// <param name="blob">The blob; bytes after its <c>totalsize</c> are ignored.</param>
    /// <param name="hasXsmMagic">
    /// Whether the memory at a module's start holds the XSM policy magic (Xen: <c>has_xsm_magic</c>), asked for the
    /// second and later modules whose kind Xen must guess; null answers no.
    /// </param>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidDeviceTree"/> for a malformed blob or one Xen would panic on.</exception>
    public static DeviceTreeBootInfo Read(ReadOnlySpan<byte> blob, Func<PhysAddr, bool>? hasXsmMagic = null) =>
        Scan(blob, hasXsmMagic, scan => { });

    /// <summary>
    /// Reads a blob loaded at <paramref name="loadAddress"/>, listing it as the <see cref="BootModuleKind.DeviceTree"/>
    /// module of <see cref="TotalSize"/> bytes before the modules it describes (Xen: <c>boot_fdt_info</c>,
    /// <c>add_boot_module(BOOTMOD_FDT, paddr, fdt_totalsize(fdt))</c>), after <paramref name="xenImage"/> when given
    /// (Xen's <c>BOOTMOD_XEN</c>, added first by <c>start_xen</c>). Modules and reserved-memory regions are then checked
    /// against these two as Xen checks them.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidAddress"/> when <paramref name="loadAddress"/> is 0, <see cref="MmError.Misaligned"/>
    /// when it is not 8-byte aligned (Xen: <c>early_fdt_map</c>, MIN_FDT_ALIGN);
    /// <see cref="MmError.InvalidDeviceTree"/> as for <see cref="Read"/>.
    /// </exception>
    public static DeviceTreeBootInfo ReadLoadedAt(ReadOnlySpan<byte> blob, PhysAddr loadAddress, BootModule? xenImage = null,
        Func<PhysAddr, bool>? hasXsmMagic = null)
    {
        if (loadAddress.Value == 0)
            throw new XenMmException(MmError.InvalidAddress, "The device tree cannot be loaded at address 0 (Xen: early_fdt_map).");
        if (!loadAddress.IsAligned(XenBootLimits.MinFdtAlign))
            throw new XenMmException(MmError.Misaligned, $"The device tree load address {loadAddress} is not {XenBootLimits.MinFdtAlign}-byte aligned (Xen: early_fdt_map, MIN_FDT_ALIGN).");
        return Scan(blob, hasXsmMagic, scan =>
        {
            if (xenImage is { } xen)
                scan.AddModule(xen.Kind, xen.Start, xen.Size);
            scan.AddModule(BootModuleKind.DeviceTree, loadAddress, scan.TotalSize);
        });
    }

    private static DeviceTreeBootInfo Scan(ReadOnlySpan<byte> blob, Func<PhysAddr, bool>? hasXsmMagic, Action<BootFdtScan> before)
    {
        var tree = FlattenedDeviceTree.Parse(blob);
        // Xen: early_fdt_map refuses a blob larger than MAX_FDT_SIZE.
        if (tree.TotalSize > XenBootLimits.MaxFdtSize)
            throw DeviceTreeError.At(4, $"totalsize {tree.TotalSize} is above Xen's MAX_FDT_SIZE ({XenBootLimits.MaxFdtSize})");
        var scan = new BootFdtScan(tree, hasXsmMagic);
        before(scan);
        scan.Run();
        return new DeviceTreeBootInfo(tree, scan);
    }
}

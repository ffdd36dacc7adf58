using XenMm.Machine;

namespace XenMm.DeviceTree;

/// <summary>
/// Xen's early scan of the device tree (common/device-tree/bootinfo-fdt.c, boot_fdt_info and early_scan_node),
/// replayed over a validated <see cref="FlattenedDeviceTree"/>. Where Xen panics this throws
/// <see cref="MmError.InvalidDeviceTree"/>; where Xen prints a warning and goes on, so does this.
/// </summary>
internal sealed partial class BootFdtScan
{
    private readonly FlattenedDeviceTree _tree;
    private readonly Func<PhysAddr, bool>? _hasXsmMagic;
    private readonly List<MemoryRegion> _memory = [];
    private readonly List<(MemoryRegion Region, BankType Type)> _reserved = [];
    private readonly List<(BootModule Module, bool DomU)> _modules = [];
    private readonly List<ModuleCmdline> _cmdlines = [];
    private int _kindGuess;

    private enum BankType { FdtResvMem, Default, StaticHeap }

    private readonly record struct ModuleCmdline(BootModuleKind Kind, bool DomU, string Cmdline);

    public BootFdtScan(FlattenedDeviceTree tree, Func<PhysAddr, bool>? hasXsmMagic)
    {
        _tree = tree;
        _hasXsmMagic = hasXsmMagic;
    }

    public uint TotalSize => _tree.TotalSize;

    public IReadOnlyList<MemoryRegion> Memory => _memory;

    public IEnumerable<MemoryRegion> ReservedOf(bool staticHeap, bool memReserve) =>
        _reserved.Where(r => r.Type == (memReserve ? BankType.FdtResvMem : staticHeap ? BankType.StaticHeap : BankType.Default))
                 .Select(r => r.Region);

    public IEnumerable<BootModule> Modules => _modules.Select(m => m.Module);

    /// <summary>Xen: add_boot_module for modules registered before the scan (Xen's image, then the blob itself).</summary>
    public void AddModule(BootModuleKind kind, PhysAddr start, ulong size) => AddBootModule(kind, start.Value, size, domU: false);

    /// <summary>Xen: boot_fdt_info after its header check and the BOOTMOD_FDT module.</summary>
    public void Run()
    {
        foreach (var entry in _tree.MemoryReservations)
        {
            if (_reserved.Count >= XenBootLimits.MaxBanks)
                throw DeviceTreeError.At(_tree.MemReserveOffset + _reserved.Count * FdtFormat.MemReserveEntrySize, $"more than {XenBootLimits.MaxBanks} reserved regions (Xen: boot_fdt_info, \"Cannot allocate reserved memory bank\")");
            _reserved.Add((entry, BankType.FdtResvMem));
        }
        ForEachNode(_tree.Root, EarlyScanNode);
    }

    private delegate void NodeFunc(DeviceTreeNode node, int depth, uint addressCells, uint sizeCells);

    // Xen: bootfdt.c, device_tree_for_each_node. Depth is relative to the first node, which is not visited; nodes at
    // DEVICE_TREE_MAX_DEPTH or deeper are skipped with a warning; a node's cells default to its parent's, and the
    // first node's parent is taken to have Xen's root defaults (2, 1) whatever the real root says.
    private void ForEachNode(DeviceTreeNode first, NodeFunc func)
    {
        Span<uint> addressCells = stackalloc uint[XenBootLimits.MaxDepth];
        Span<uint> sizeCells = stackalloc uint[XenBootLimits.MaxDepth];
        int end = _tree.NodeAt(first.Index).SubtreeEnd;
        for (int i = first.Index; i < end; i++)
        {
            var node = _tree.GetNode(i);
            int depth = node.Depth - first.Depth;
            if (depth >= XenBootLimits.MaxDepth)
                continue;
            uint ac = depth > 0 ? addressCells[depth - 1] : XenBootLimits.DefaultAddressCells;
            uint sc = depth > 0 ? sizeCells[depth - 1] : XenBootLimits.DefaultSizeCells;
            addressCells[depth] = GetU32(node, "#address-cells", ac);
            sizeCells[depth] = GetU32(node, "#size-cells", sc);
            if (i != first.Index)
                func(node, depth, ac, sc);
        }
    }

    // Xen: bootfdt.c, device_tree_get_u32: a property shorter than 4 bytes gives the default.
    private uint GetU32(DeviceTreeNode node, string name, uint fallback) =>
        node.TryGetProperty(name, out var p) && p.Length >= 4 ? _tree.ReadU32(p.ValueOffset) : fallback;

    // Xen: bootinfo-fdt.c, early_scan_node (not booted through UEFI). The order of the tests is Xen's.
    private void EarlyScanNode(DeviceTreeNode node, int depth, uint ac, uint sc)
    {
        if (IsMemoryNode(node, depth))
        {
            if (GetMeminfo(node, "reg", ac, sc, toReserved: false, BankType.Default) == MeminfoResult.NoProperty)
                throw DeviceTreeError.At(node.Offset, $"memory node '{node.Name}' has no 'reg' (Xen: early_scan_node fails with -ENOENT, boot_fdt_info panics)");
        }
        else if (depth == 1 && node.Name.Equals("reserved-memory", StringComparison.OrdinalIgnoreCase))
            ForEachNode(node, ProcessReservedMemoryNode);
        else if (depth <= 3 && (IsCompatibleIgnoreCase(node, "xen,multiboot-module") || IsCompatibleIgnoreCase(node, "multiboot,module")))
            ProcessMultibootNode(node, ac, sc);
        else if (depth == 1 && NodeMatches(node, "chosen"))
            ProcessChosenNode(node, ac, sc);
        else if (depth == 2 && IsCompatibleIgnoreCase(node, "xen,domain") && node.TryGetProperty("xen,static-mem", out var staticMem))
            throw DeviceTreeError.At(staticMem.Offset, "'xen,static-mem' needs CONFIG_STATIC_MEMORY, which Xen's defconfig lacks (Xen: process_domain_node)");
        else if (depth <= 3 && IsCompatibleIgnoreCase(node, "xen,domain-shared-memory-v1"))
            throw DeviceTreeError.At(node.Offset, $"'{node.Name}' is static shared memory, which needs CONFIG_STATIC_SHM, absent from Xen's defconfig (Xen: process_shm_node)");
    }

    // Xen: bootinfo-fdt.c, process_reserved_memory_node: a child without 'reg' is skipped (-ENOENT).
    private void ProcessReservedMemoryNode(DeviceTreeNode node, int depth, uint ac, uint sc) =>
        GetMeminfo(node, "reg", ac, sc, toReserved: true, BankType.Default);

    // Xen: bootinfo-fdt.c, device_tree_is_memory_node: at depth 1, named memory or memory@..., with a device_type
    // longer than 6 bytes whose C string is "memory".
    private bool IsMemoryNode(DeviceTreeNode node, int depth) =>
        depth == 1 && NodeMatches(node, "memory")
        && node.TryGetProperty("device_type", out var type)
        && type.Length > "memory".Length && _tree.CStringAt(type.ValueOffset) == "memory";

    // Xen: bootinfo-fdt.c, device_tree_node_matches: "match" or "match@...", case-sensitive.
    private static bool NodeMatches(DeviceTreeNode node, string match)
    {
        string name = node.Name;
        return name.StartsWith(match, StringComparison.Ordinal) && (name.Length == match.Length || name[match.Length] == '@');
    }

    // Xen: bootinfo-fdt.c, device_tree_node_is_available: no status, or a non-empty "ok"/"okay".
    private bool IsAvailable(DeviceTreeNode node)
    {
        if (!node.TryGetProperty("status", out var status))
            return true;
        if (status.Length <= 0)
            return false;
        string value = _tree.CStringAt(status.ValueOffset);
        return value is "ok" or "okay";
    }

    // Xen: bootinfo-fdt.c, device_tree_node_compatible: strcasecmp against each string of 'compatible'.
    private bool IsCompatibleIgnoreCase(DeviceTreeNode node, string match)
    {
        if (!node.TryGetProperty("compatible", out var prop))
            return false;
        int offset = prop.ValueOffset;
        long left = prop.Length;
        while (left > 0)
        {
            int length = _tree.CStringLength(offset);
            if (_tree.CStringAt(offset).Equals(match, StringComparison.OrdinalIgnoreCase))
                return true;
            left -= length + 1;
            offset += length + 1;
            if (offset >= _tree.TotalSize)
                break;
        }
        return false;
    }

    // libfdt: fdt_node_check_compatible (fdt_stringlist_contains): memcmp of the match and its NUL against each
    // entry, case-sensitive; like C, the compare may take the byte just after the property.
    private bool IsCompatibleExact(DeviceTreeNode node, string match)
    {
        if (!node.TryGetProperty("compatible", out var prop))
            return false;
        var blob = _tree.Blob;
        int pos = prop.ValueOffset, left = prop.Length;
        while (left >= match.Length)
        {
            if (pos + match.Length < blob.Length && blob[pos + match.Length] == 0 && Latin1Equals(blob.Slice(pos, match.Length), match))
                return true;
            int nul = blob.Slice(pos, left).IndexOf((byte)0);
            if (nul < 0)
                return false;
            left -= nul + 1;
            pos += nul + 1;
        }
        return false;
    }

    private static bool Latin1Equals(ReadOnlySpan<byte> bytes, string text)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != text[i])
                return false;
        }
        return true;
    }
}

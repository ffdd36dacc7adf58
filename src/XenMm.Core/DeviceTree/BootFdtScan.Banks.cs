using XenMm.Machine;

namespace XenMm.DeviceTree;

internal sealed partial class BootFdtScan
{
    private enum MeminfoResult { Done, NoProperty }

    // Xen: bootinfo-fdt.c, device_tree_get_meminfo. Returns NoProperty for Xen's -ENOENT and throws where Xen's
    // -EINVAL or -ENOSPC ends in a panic. Banks go to bootinfo.mem or, with their type, to bootinfo.reserved_mem.
    private MeminfoResult GetMeminfo(DeviceTreeNode node, string propName, uint ac, uint sc, bool toReserved, BankType type)
    {
        if (!IsAvailable(node))
            return MeminfoResult.Done;
        if (ac < 1 || sc < 1)
            throw DeviceTreeError.At(node.Offset, $"node '{node.Name}': property '{propName}': invalid #address-cells {ac} or #size-cells {sc} (Xen: device_tree_get_meminfo)");
        if (!node.TryGetProperty(propName, out var prop))
            return MeminfoResult.NoProperty;

        var target = toReserved ? _reserved.Count : _memory.Count;
        ulong banks = (ulong)prop.Length / (((ulong)ac + sc) * 4);
        ulong i = 0;
        int cell = prop.ValueOffset;
        for (; i < banks && target < XenBootLimits.MaxBanks; i++)
        {
            ulong start = ReadCells(prop, ref cell, ac), size = ReadCells(prop, ref cell, sc);
            if (toReserved && CheckReservedRegionsOverlap(start, size, allowMemReserveOverlap: true))
                throw DeviceTreeError.At(prop.Offset, $"node '{node.Name}': reserved region [0x{start:X}, 0x{start + size:X}) overlaps a reserved region or module (Xen: device_tree_get_meminfo, -EINVAL)");
            if (size == 0)
                continue;
            var region = new MemoryRegion(new PhysAddr(start), size);
            if (toReserved)
                _reserved.Add((region, type));
            else
                _memory.Add(region);
            target++;
        }
        if (i < banks)
            throw DeviceTreeError.At(prop.Offset, $"node '{node.Name}': more than {XenBootLimits.MaxBanks} {(toReserved ? "reserved" : "memory")} banks (Xen: device_tree_get_meminfo, -ENOSPC)");
        return MeminfoResult.Done;
    }

    // Xen: bootfdt.h, dt_next_cell / dt_read_number: one or two cells; any other count is ASSERT_UNREACHABLE.
    private ulong ReadCells(DeviceTreeProperty prop, ref int cell, uint count)
    {
        if (count is not (1 or 2))
            throw DeviceTreeError.At(cell, $"property '{prop.Name}' needs {count}-cell numbers; Xen reads 1 or 2 (dt_read_number)");
        ulong value = count == 1 ? _tree.ReadU32(cell) : _tree.ReadU64(cell);
        cell += (int)count * 4;
        return value;
    }

    // Xen: bootinfo.c, check_reserved_regions_overlap (meminfo_overlap_check, then boot_modules_overlap_check).
    // Ends wrap as paddr_t does; a bank starting at INVALID_PADDR is skipped.
    private bool CheckReservedRegionsOverlap(ulong start, ulong size, bool allowMemReserveOverlap)
    {
        ulong end = unchecked(start + size);
        foreach (var (bank, type) in _reserved)
        {
            ulong bankStart = bank.Start.Value, bankEnd = unchecked(bankStart + bank.Size);
            if (bankStart == ulong.MaxValue || end <= bankStart || start >= bankEnd)
                continue;
            if (allowMemReserveOverlap && start >= bankStart && end <= bankEnd && type == BankType.FdtResvMem)
                continue;
            return true;
        }
        foreach (var (module, _) in _modules)
        {
            ulong moduleStart = module.Start.Value, moduleEnd = unchecked(moduleStart + module.Size);
            if (end <= moduleStart || start >= moduleEnd)
                continue;
            return true;
        }
        return false;
    }
}

using XenMm.Machine;

namespace XenMm.DeviceTree;

internal sealed partial class BootFdtScan
{
    // Xen: bootinfo-fdt.c, process_multiboot_node.
    private void ProcessMultibootNode(DeviceTreeNode node, uint ac, uint sc)
    {
        // fdt_get_path into char path[92], then strncmp(path, "/chosen", 7): a longer path, or one not starting with
        // "/chosen" (so "/chosen-x/..." passes), leaves the node out without a word.
        if (!TryGetFdtPath(node, out string path) || !path.StartsWith("/chosen", StringComparison.Ordinal))
            return;
        if (!node.TryGetProperty("reg", out var reg))
            throw DeviceTreeError.At(node.Offset, $"module node '{node.Name}' has no 'reg' (Xen: process_multiboot_node panics)");
        if (reg.Length < ((long)ac + sc) * 4)
            throw DeviceTreeError.At(reg.Offset, $"module node '{node.Name}': 'reg' is {reg.Length} bytes, shorter than {ac}+{sc} cells (Xen: process_multiboot_node panics)");
        int cell = reg.ValueOffset;
        ulong start = ReadCells(reg, ref cell, ac), size = ReadCells(reg, ref cell, sc);

        var kind = NodeToKind(node);
        if (kind == BootModuleKind.Other)
        {
            // The first unknown module is the kernel, the second the ramdisk; from the second on, one that starts
            // with the XSM magic is the policy.
            switch (_kindGuess++)
            {
                case 0: kind = BootModuleKind.Kernel; break;
                case 1: kind = BootModuleKind.Ramdisk; break;
            }
            if (_kindGuess > 1 && _hasXsmMagic?.Invoke(new PhysAddr(start)) == true)
                kind = BootModuleKind.XsmPolicy;
        }

        var parent = node.Parent!.Value;
        bool domU = IsCompatibleExact(parent, "xen,domain");
        AddBootModule(kind, start, size, domU);

        if (node.TryGetProperty("bootargs", out var bootargs))
            AddBootCmdline(parent, bootargs, kind, domU);
    }

    // libfdt: fdt_get_path writes each name, the root's included, with a '/' after it, needs all of that to fit
    // the buffer, then drops the last '/' (so the root alone is "/").
    private static bool TryGetFdtPath(DeviceTreeNode node, out string path)
    {
        var names = new List<string>();
        long length = 0;
        for (DeviceTreeNode? n = node; n is { } current; n = current.Parent)
        {
            names.Add(current.Name);
            length += current.Name.Length + 1;
        }
        if (length > XenBootLimits.MultibootPathBuffer)
        {
            path = "";
            return false;
        }
        names.Reverse();
        path = string.Join('/', names);
        if (path.Length == 0)
            path = "/";
        return true;
    }

    // Xen: bootfdt.c, fdt_node_to_kind.
    private BootModuleKind NodeToKind(DeviceTreeNode node)
    {
        if (IsCompatibleExact(node, "xen,linux-zimage") || IsCompatibleExact(node, "multiboot,kernel"))
            return BootModuleKind.Kernel;
        if (IsCompatibleExact(node, "xen,linux-initrd") || IsCompatibleExact(node, "multiboot,ramdisk"))
            return BootModuleKind.Ramdisk;
        if (IsCompatibleExact(node, "xen,xsm-policy"))
            return BootModuleKind.XsmPolicy;
        if (IsCompatibleExact(node, "multiboot,device-tree"))
            return BootModuleKind.GuestDeviceTree;
        if (IsCompatibleExact(node, "multiboot,microcode"))
            return BootModuleKind.Microcode;
        return BootModuleKind.Other;
    }

    // Xen: bootinfo.c, add_boot_module: at most MAX_MODULES; a module overlapping a reserved region (other than
    // inside a /memreserve/ entry) or an earlier module is dropped; the same kind at the same start is merged.
    private void AddBootModule(BootModuleKind kind, ulong start, ulong size, bool domU)
    {
        if (_modules.Count == XenBootLimits.MaxModules)
            return;
        if (CheckReservedRegionsOverlap(start, size, allowMemReserveOverlap: true))
            return;
        for (int i = 0; i < _modules.Count; i++)
        {
            var (module, moduleDomU) = _modules[i];
            if (module.Kind == kind && module.Start.Value == start)
            {
                if (!domU && moduleDomU)
                    _modules[i] = (module, false);
                return;
            }
        }
        _modules.Add((new BootModule(kind, new PhysAddr(start), size), domU));
    }

    // Xen: bootinfo.c, add_boot_cmdline.
    private void AddBootCmdline(DeviceTreeNode parent, DeviceTreeProperty bootargs, BootModuleKind kind, bool domU)
    {
        if (_cmdlines.Count == XenBootLimits.MaxModules)
            return;
        if (parent.Name.Length > XenBootLimits.MaxNodeName)
            throw DeviceTreeError.At(parent.Offset, $"node name '{parent.Name}' is longer than DT_MAX_NAME ({XenBootLimits.MaxNodeName}) (Xen: add_boot_cmdline asserts)");
        int length = _tree.CStringLength(bootargs.ValueOffset);
        if (length > XenBootLimits.MaxModuleCmdline)
            throw DeviceTreeError.At(bootargs.Offset, $"module command line is {length} bytes, longer than {XenBootLimits.MaxModuleCmdline} (Xen: add_boot_cmdline panics)");
        _cmdlines.Add(new ModuleCmdline(kind, domU, _tree.CStringAt(bootargs.ValueOffset)));
    }

    // Xen: bootinfo-fdt.c, process_chosen_node.
    private void ProcessChosenNode(DeviceTreeNode node, uint ac, uint sc)
    {
        if (node.HasProperty("xen,static-heap"))
            GetMeminfo(node, "xen,static-heap", ac, sc, toReserved: true, BankType.StaticHeap);

        if (!node.TryGetProperty("linux,initrd-start", out var startProp))
            return;
        ulong start = ReadInitrdBound(startProp);
        if (!node.TryGetProperty("linux,initrd-end", out var endProp))
            throw DeviceTreeError.At(startProp.Offset, "linux,initrd-end not present but -start was (Xen: process_chosen_node, -EINVAL)");
        ulong end = ReadInitrdBound(endProp);
        if (start >= end)
            throw DeviceTreeError.At(endProp.Offset, $"linux,initrd limits invalid: 0x{start:X} >= 0x{end:X} (Xen: process_chosen_node, -EINVAL)");
        AddBootModule(BootModuleKind.Ramdisk, start, end - start, domU: false);
    }

    private ulong ReadInitrdBound(DeviceTreeProperty prop)
    {
        if (prop.Length is not (4 or 8))
            throw DeviceTreeError.At(prop.Offset, $"{prop.Name} property has invalid length {prop.Length} (Xen: process_chosen_node, -EINVAL)");
        return prop.Length == 4 ? _tree.ReadU32(prop.ValueOffset) : _tree.ReadU64(prop.ValueOffset);
    }

    /// <summary>Xen: bootinfo-fdt.c, boot_fdt_cmdline.</summary>
    public string? BootFdtCmdline()
    {
        // fdt_path_offset("/chosen"): the first child of the root named "chosen" or "chosen@...".
        DeviceTreeNode? chosen = null;
        foreach (var child in _tree.Root.Children)
        {
            if (NodeMatches(child, "chosen"))
            {
                chosen = child;
                break;
            }
        }
        if (chosen is not { } node)
            return null;
        if (!node.TryGetProperty("xen,xen-bootargs", out var prop))
        {
            // Xen falls back to 'bootargs' only when the kernel module has its own (non-empty) command line or
            // xen,dom0-bootargs is present: otherwise 'bootargs' is taken to be dom0's, not Xen's.
            string? dom0 = KernelCmdline;
            if (!(node.HasProperty("xen,dom0-bootargs") || !string.IsNullOrEmpty(dom0)) || !node.TryGetProperty("bootargs", out prop))
                return null;
        }
        return _tree.CStringAt(prop.ValueOffset);
    }

    /// <summary>Xen: bootinfo.c, boot_cmdline_find_by_kind(BOOTMOD_KERNEL): the first dom0 kernel's command line.</summary>
    public string? KernelCmdline
    {
        get
        {
            foreach (var cmd in _cmdlines)
            {
                if (cmd.Kind == BootModuleKind.Kernel && !cmd.DomU)
                    return cmd.Cmdline;
            }
            return null;
        }
    }
}

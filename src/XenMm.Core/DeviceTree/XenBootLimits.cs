namespace XenMm.DeviceTree;

/// <summary>The limits Xen's early device-tree code works within.</summary>
internal static class XenBootLimits
{
    /// <summary>Xen: bootfdt.h, DEVICE_TREE_MAX_DEPTH. Nodes this deep or deeper are skipped by device_tree_for_each_node.</summary>
    public const int MaxDepth = 16;

    /// <summary>Xen: bootinfo.h, NR_MEM_BANKS (both bootinfo.mem and bootinfo.reserved_mem).</summary>
    public const int MaxBanks = 256;

    /// <summary>Xen: bootinfo.h, MAX_MODULES (modules and module command lines).</summary>
    public const int MaxModules = 32;

    /// <summary>Xen: arm/include/asm/setup.h, MAX_FDT_SIZE; early_fdt_map refuses a larger blob.</summary>
    public const uint MaxFdtSize = 2 * 1024 * 1024;

    /// <summary>Xen: bootfdt.h, MIN_FDT_ALIGN; early_fdt_map refuses a blob at a less aligned address.</summary>
    public const ulong MinFdtAlign = 8;

    /// <summary>Xen: bootfdt.h, BOOTMOD_MAX_CMDLINE; add_boot_cmdline panics on a longer module command line.</summary>
    public const int MaxModuleCmdline = 1024;

    /// <summary>Xen: bootinfo.h, DT_MAX_NAME; add_boot_cmdline asserts the parent node name fits.</summary>
    public const int MaxNodeName = 41;

    /// <summary>Xen: process_multiboot_node's path buffer, <c>char path[92]</c>, that fdt_get_path must fit.</summary>
    public const int MultibootPathBuffer = 92;

    /// <summary>Xen: DT_ROOT_NODE_ADDR_CELLS_DEFAULT.</summary>
    public const uint DefaultAddressCells = 2;

    /// <summary>Xen: DT_ROOT_NODE_SIZE_CELLS_DEFAULT.</summary>
    public const uint DefaultSizeCells = 1;
}

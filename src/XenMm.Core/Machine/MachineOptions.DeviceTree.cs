using XenMm.DeviceTree;

namespace XenMm.Machine;

public sealed partial class MachineOptions
{
    /// <summary>
    /// The options a board describes in the device tree it hands Xen: RAM from every <c>memory</c> node, reserved
    /// regions (the <c>/memreserve/</c> block, then <c>/reserved-memory</c> children, as Xen collects them), the boot
    /// modules Xen reads from <c>/chosen</c> after Xen's image (when given) and the blob itself at
    /// <paramref name="loadAddress"/>, Xen's command line as <c>boot_fdt_cmdline</c> chooses it, and one CPU per
    /// <c>/cpus</c> node whose <c>device_type</c> is <c>cpu</c>.
    /// </summary>
    /// <param name="blob">The flattened device tree (untrusted).</param>
    /// <param name="loadAddress">Where the boot loader put the blob (Xen's <c>fdt_paddr</c>).</param>
    /// <param name="xenImage">Xen's image, or null to let the architecture place it.</param>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidDeviceTree"/> for a malformed blob (naming the byte offset), or as
    /// <see cref="DeviceTreeBootInfo.ReadLoadedAt"/>.
    /// </exception>
    public static MachineOptions FromDeviceTree(ReadOnlySpan<byte> blob, PhysAddr loadAddress, BootModule? xenImage = null)
    {
        var info = DeviceTreeBootInfo.ReadLoadedAt(blob, loadAddress, xenImage);
        var cpus = info.Tree.Nodes.Count(n => n.Depth == 2 && n.Parent is { } p && p.Name == "cpus"
            && n.TryGetProperty("device_type", out var t) && t.AsString() == "cpu");
        return new MachineOptions
        {
            Ram = [.. info.MemoryBanks],
            Reserved = [.. info.MemReserve, .. info.ReservedMemory],
            Modules = [.. info.Modules],
            CommandLine = info.CommandLine ?? string.Empty,
            Cpus = Math.Max(cpus, 1),
        };
    }
}

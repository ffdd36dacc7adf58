namespace XenMm.Hosting;

/// <summary>A device-tree blob in configuration: the file and where the boot loader put it.</summary>
public sealed class XenMmDeviceTreeOptions
{
    /// <summary>The blob's file (relative paths from the current directory); null for none.</summary>
    public string? Path { get; set; }

    /// <summary>Where the blob was loaded (Xen's <c>fdt_paddr</c>); required with <see cref="Path"/>.</summary>
    public string? LoadAddress { get; set; }
}

namespace XenMm.Hosting;

/// <summary>A boot module in configuration.</summary>
public sealed class XenMmModuleOptions
{
    /// <summary>
    /// What it holds: <c>xen</c>, <c>dtb</c>, <c>kernel</c>, <c>ramdisk</c>, <c>xsm</c>, <c>other</c> (the CLI's names) or a
    /// <see cref="Machine.BootModuleKind"/> name; either case.
    /// </summary>
    public string? Kind { get; set; }

    /// <summary>First byte: decimal, <c>0x</c> hex, or a size such as <c>1GiB</c>.</summary>
    public string? Start { get; set; }

    /// <summary>Size in bytes: decimal, <c>0x</c> hex, or a size such as <c>512MiB</c>.</summary>
    public string? Size { get; set; }
}

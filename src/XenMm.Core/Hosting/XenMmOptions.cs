namespace XenMm.Hosting;

/// <summary>
/// A machine as configuration describes it (the <c>XenMm</c> section): RAM banks, reserved regions, boot modules, a
/// device-tree blob, Xen's command line, CPUs and the profile. Addresses and sizes are text, so a configuration file
/// may write them as decimal (<c>1073741824</c>), <c>0x</c> hex (<c>0x4000_0000</c>) or sizes (<c>512MiB</c>, <c>2GiB</c>);
/// see <see cref="Machine.ByteSize"/>.
/// </summary>
/// <remarks>
/// The machine is built as the <c>xenmm boot</c> command builds it: from the device tree when one is given, else from
/// <see cref="Ram"/>, else from the architecture's default board; then <see cref="Ram"/> replaces the banks,
/// <see cref="Reserved"/> and <see cref="Modules"/> are added, and <see cref="CommandLine"/>, <see cref="Cpus"/> and
/// <see cref="Profile"/> override what the blob said. <c>AddXenMm</c> validates the options at start, naming the bad
/// setting (<c>XenMm:Ram:1:Size</c>).
/// </remarks>
public sealed partial class XenMmOptions
{
    /// <summary>The configuration section <c>AddXenMm</c> reads by convention.</summary>
    public const string SectionName = "XenMm";

    /// <summary>RAM banks; when given, they replace the device tree's and the default board's.</summary>
    public List<XenMmRegionOptions> Ram { get; set; } = [];

    /// <summary>Reserved regions, added after the device tree's.</summary>
    public List<XenMmRegionOptions> Reserved { get; set; } = [];

    /// <summary>Boot modules, added after the device tree's; given any, the default board's are dropped.</summary>
    public List<XenMmModuleOptions> Modules { get; set; } = [];

    /// <summary>A flattened device tree to read RAM, reserved regions, modules, CPUs and the command line from.</summary>
    public XenMmDeviceTreeOptions DeviceTree { get; set; } = new();

    /// <summary>Xen's command line (e.g. <c>xenheap_megabytes=100</c>); null keeps the device tree's.</summary>
    public string? CommandLine { get; set; }

    /// <summary>The number of CPUs; null keeps the device tree's or the default board's.</summary>
    public int? Cpus { get; set; }

    /// <summary><c>current</c> (the default, Xen 4.22) or <c>2013</c> (Xen 4.3/4.4); <c>Current</c> and <c>Xen2013</c> too.</summary>
    public string? Profile { get; set; }
}

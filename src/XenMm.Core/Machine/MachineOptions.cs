namespace XenMm.Machine;

/// <summary>
/// What a machine is built from: RAM banks, reserved regions, boot modules, CPUs, the Xen profile and Xen's command
/// line (what a board's device tree and boot loader would hand Xen). Settable, so it binds from configuration;
/// <see cref="Validate"/> checks it as a whole and names the bad setting.
/// </summary>
public sealed partial class MachineOptions
{
    /// <summary>The most CPUs a machine may have (Xen on ARM: <c>NR_CPUS</c> default).</summary>
    public const int MaxCpus = 128;

    /// <summary>The most RAM banks (Xen on ARM: <c>NR_MEM_BANKS</c>).</summary>
    public const int MaxBanks = 256;

    /// <summary>RAM banks (Xen: the device tree's <c>memory</c> nodes). Any order; boot sorts them as Xen does.</summary>
    public List<MemoryRegion> Ram { get; set; } = [];

    /// <summary>Reserved regions (<c>/memreserve/</c> and <c>/reserved-memory</c>): kept out of every allocator.</summary>
    public List<MemoryRegion> Reserved { get; set; } = [];

    /// <summary>
    /// Boot modules. Without a <see cref="BootModuleKind.Xen"/> module the architecture places Xen's image where its
    /// boot loader would; Xen's image is always module 0 and the device tree module 1, as Xen registers them.
    /// </summary>
    public List<BootModule> Modules { get; set; } = [];

    /// <summary>The number of CPUs (1 to <see cref="MaxCpus"/>).</summary>
    public int Cpus { get; set; } = 1;

    /// <summary>Which Xen the machine follows.</summary>
    public XenProfile Profile { get; set; } = XenProfile.Current;

    /// <summary>Xen's command line (Xen: <c>/chosen</c> <c>xen,xen-bootargs</c>).</summary>
    public string CommandLine { get; set; } = string.Empty;

    /// <summary>A deep copy.</summary>
    public MachineOptions Clone() => new()
    {
        Ram = [.. Ram],
        Reserved = [.. Reserved],
        Modules = [.. Modules],
        Cpus = Cpus,
        Profile = Profile,
        CommandLine = CommandLine,
    };

    /// <summary>
    /// Checks the options for a machine with <paramref name="paddrBits"/>-bit physical addresses. Nothing is changed.
    /// </summary>
    /// <exception cref="XenMmException">
    /// Naming the setting (<c>Ram[1]</c>, <c>Modules[0]</c>, <c>Cpus</c>, ...): <see cref="MmError.InvalidArgument"/>
    /// (no RAM, an empty range, a count out of range, two Xen images), <see cref="MmError.Misaligned"/> (a bank not
    /// page-aligned), <see cref="MmError.InvalidAddress"/> (beyond the physical address width, a module outside RAM),
    /// <see cref="MmError.Overlap"/> (two banks or two modules sharing bytes).
    /// </exception>
    public void Validate(int paddrBits)
    {
        if (paddrBits is < 32 or > 52)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Physical address width {paddrBits} is outside 32..52.");
        }

        var limit = 1UL << paddrBits;
        if (Ram is null || Ram.Count == 0)
        {
            throw new XenMmException(MmError.InvalidArgument, "Ram: a machine needs at least one RAM bank.");
        }

        if (Ram.Count > MaxBanks)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Ram: {Ram.Count} banks; Xen supports at most {MaxBanks} (NR_MEM_BANKS).");
        }

        for (var i = 0; i < Ram.Count; i++)
        {
            var b = Ram[i];
            CheckRange($"Ram[{i}]", b.Start.Value, b.Size, limit);
            if (!b.Start.IsPageAligned || (b.Size & Addressing.PageMask) != 0)
            {
                throw new XenMmException(MmError.Misaligned, $"Ram[{i}] {b}: a RAM bank must start and end on a 4 KiB page.");
            }
        }

        CheckDisjoint("Ram", Ram.Select(b => (b.Start.Value, b.End)).ToList());
        Reserved ??= [];
        for (var i = 0; i < Reserved.Count; i++)
        {
            CheckRange($"Reserved[{i}]", Reserved[i].Start.Value, Reserved[i].Size, limit);
        }

        Modules ??= [];
        for (var i = 0; i < Modules.Count; i++)
        {
            var m = Modules[i];
            if (!Enum.IsDefined(m.Kind))
            {
                throw new XenMmException(MmError.InvalidArgument, $"Modules[{i}]: module kind {(int)m.Kind} is not defined.");
            }

            CheckRange($"Modules[{i}] ({m.KindName})", m.Start.Value, m.Size, limit);
            if (!Ram.Any(b => b.Start.Value <= m.Start.Value && m.End <= b.End))
            {
                throw new XenMmException(MmError.InvalidAddress, $"Modules[{i}] {m}: a boot module must lie inside one RAM bank.");
            }
        }

        foreach (var kind in new[] { BootModuleKind.Xen, BootModuleKind.DeviceTree })
        {
            if (Modules.Count(m => m.Kind == kind) > 1)
            {
                throw new XenMmException(MmError.InvalidArgument, $"Modules: more than one {BootModule.XenName(kind)} module.");
            }
        }

        CheckDisjoint("Modules", Modules.Select(m => (m.Start.Value, m.End)).ToList());
        if (Cpus is < 1 or > MaxCpus)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Cpus: {Cpus} is outside 1..{MaxCpus}.");
        }

        if (!Enum.IsDefined(Profile))
        {
            throw new XenMmException(MmError.InvalidArgument, $"Profile: {(int)Profile} is not a XenMm profile.");
        }

        if (CommandLine is null)
        {
            throw new XenMmException(MmError.InvalidArgument, "CommandLine: null (use an empty string).");
        }
    }

    private static void CheckRange(string what, ulong start, ulong size, ulong limit)
    {
        if (size == 0)
        {
            throw new XenMmException(MmError.InvalidArgument, $"{what} at 0x{start:X}: size 0.");
        }

        if (start >= limit || size > limit - start)
        {
            throw new XenMmException(MmError.InvalidAddress, $"{what} [0x{start:X}, +0x{size:X}) goes beyond the {BitOperationsLog2(limit)}-bit physical address space.");
        }
    }

    private static int BitOperationsLog2(ulong limit) => System.Numerics.BitOperations.Log2(limit);

    private static void CheckDisjoint(string what, List<(ulong Start, ulong End)> ranges)
    {
        var order = Enumerable.Range(0, ranges.Count).OrderBy(i => ranges[i].Start).ToArray();
        for (var k = 1; k < order.Length; k++)
        {
            var a = order[k - 1];
            var b = order[k];
            if (ranges[b].Start < ranges[a].End)
            {
                throw new XenMmException(MmError.Overlap, $"{what}[{b}] [0x{ranges[b].Start:X}, 0x{ranges[b].End:X}) overlaps {what}[{a}] [0x{ranges[a].Start:X}, 0x{ranges[a].End:X}).");
            }
        }
    }
}

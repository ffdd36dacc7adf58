using Microsoft.Extensions.Logging;
using XenMm.Audit;
using XenMm.Domains;
using XenMm.Frames;
using XenMm.Heap;
using XenMm.Layout;
using XenMm.Machine;
using XenMm.Memory;
using XenMm.PageTables;
using XenMm.VirtualMapping;

namespace XenMm;

/// <summary>
/// One simulated Xen host: RAM, CPUs and boot modules from <see cref="MachineOptions"/>, an architecture plug-in, and
/// everything Xen's <c>start_xen</c> builds on them: the boot allocator, the frame table, the buddy heap with its
/// xenheap and domheap, Xen's page tables, vmap and <c>map_domain_page</c>.
/// </summary>
/// <remarks>
/// Create it, then <see cref="Boot"/>. A boot either completes or throws and leaves the machine unbooted; the parts
/// are reachable only once it is booted. The parts are thread-safe as documented on each.
/// </remarks>
public sealed partial class XenMachine
{
    private readonly ILogger? _logger;
    private readonly Lock _gate = new();
    private MachineState? _state;

    /// <summary>Creates a machine, validating the options for <paramref name="architecture"/>.</summary>
    /// <param name="options">RAM, modules, CPUs, profile and command line; copied.</param>
    /// <param name="architecture">The architecture plug-in.</param>
    /// <param name="logger">Where the boot log goes, besides <see cref="BootLog"/>.</param>
    /// <exception cref="XenMmException">A bad option, named (see <see cref="MachineOptions.Validate"/>).</exception>
    public XenMachine(MachineOptions options, IArchitecture architecture, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(architecture);
        var copy = options.Clone();
        copy.Validate(architecture.PaddrBits);
        if (!copy.Modules.Any(m => m.Kind == BootModuleKind.Xen))
        {
            copy.Modules.Add(architecture.DefaultXenImage(copy));
            copy.Validate(architecture.PaddrBits);
        }

        // Xen registers its own image first (start_xen), the device tree second (boot_fdt_info), the rest as found.
        copy.Modules = [.. copy.Modules.OrderBy(m => m.Kind switch { BootModuleKind.Xen => 0, BootModuleKind.DeviceTree => 1, _ => 2 })];
        Options = copy;
        Architecture = architecture;
        CommandLine = XenCommandLine.Parse(copy.CommandLine, architecture.BitsPerLong);
        _logger = logger;
    }

    /// <summary>The architecture plug-in.</summary>
    public IArchitecture Architecture { get; }

    /// <summary>The options as the machine uses them (Xen's image added where none was given, modules in Xen's order).</summary>
    public MachineOptions Options { get; }

    /// <summary>The parsed command line.</summary>
    public XenCommandLine CommandLine { get; }

    /// <summary>The profile.</summary>
    public XenProfile Profile => Options.Profile;

    /// <summary>True once <see cref="Boot"/> has completed.</summary>
    public bool IsBooted => _state is not null;

    /// <summary>The boot log (Xen's lines word for word, XenMm's own marked as such).</summary>
    public IReadOnlyList<BootLogLine> BootLog => State.Log;

    /// <summary>The virtual layout.</summary>
    public IAddressSpaceLayout Layout => State.Layout;

    /// <summary>Simulated RAM.</summary>
    public PhysicalMemory Memory => State.Memory;

    /// <summary>The frame table.</summary>
    public FrameTable FrameTable => State.FrameTable;

    /// <summary>The buddy heap.</summary>
    public BuddyHeap Heap => State.Heap;

    /// <summary>The domheap.</summary>
    public Domheap Domheap => State.Domheap;

    /// <summary>The xenheap, as the architecture's heap model defines it.</summary>
    public IHeapModel HeapModel => State.HeapModel!;

    /// <summary>map_domain_page, as the architecture does it.</summary>
    public IDomainPageMapper DomainPages => State.DomainPages!;

    /// <summary>vmap.</summary>
    public Vmap Vmap => State.Vmap!;

    /// <summary>The CPUs, each with its view of Xen's page tables.</summary>
    public IReadOnlyList<MachineCpu> Cpus => State.Cpus;

    /// <summary>Xen's mapping calls on the boot CPU's tables.</summary>
    public IXenMappings Mappings => State.Cpus[0].Mappings;

    /// <summary>The boot allocator's record: its <c>init_boot_pages</c> ranges, allocations and hand-over.</summary>
    public BootAllocator BootAllocator => State.BootAllocator;

    /// <summary>The boot allocator's regions at the moment <c>end_boot_allocator</c> started.</summary>
    public IReadOnlyList<MfnRange> BootRegionsAtEnd => State.RegionsAtEnd;

    /// <summary>Pages of Xen's image that hold its static tables, with what each holds.</summary>
    public IReadOnlyList<(Mfn Mfn, string Purpose)> ImagePages => State.ImagePages;

    /// <summary>The domains created with <see cref="CreateDomain"/>.</summary>
    public IReadOnlyList<Domain> Domains
    {
        get
        {
            lock (State.Domains)
            {
                return [.. State.Domains];
            }
        }
    }

    private MachineState State => _state ?? throw new XenMmException(MmError.InvalidState, "The machine has not booted; call Boot() first.");

    /// <summary>
    /// Runs the memory part of Xen's <c>start_xen</c>: prints the RAM, module and command-line lines, then the
    /// architecture's boot (page tables, <c>setup_mm</c>, frame table, <c>vm_init</c>, <c>end_boot_allocator</c>,
    /// secondary CPUs).
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidState"/> when already booted; <see cref="MmError.BootFailed"/> where Xen would panic
    /// (the machine stays unbooted).
    /// </exception>
    public void Boot()
    {
        lock (_gate)
        {
            if (_state is not null)
            {
                throw new XenMmException(MmError.InvalidState, "The machine has already booted.");
            }

            var state = new MachineState(Options, Architecture, CommandLine);
            var context = new BootContext(state, _logger);
            EarlyPrintInfo(context);
            Architecture.Boot(context);
            if (state.Cpus.Count != Options.Cpus || state.HeapModel is null || state.DomainPages is null || state.Vmap is null || !state.BootAllocator.HasEnded)
            {
                throw new XenMmException(MmError.InvalidState, $"Architecture {Architecture.Name} did not finish the boot: {state.Cpus.Count} of {Options.Cpus} CPUs, heap model {(state.HeapModel is null ? "missing" : "set")}, domain-page mapper {(state.DomainPages is null ? "missing" : "set")}, vmap {(state.Vmap is null ? "missing" : "set")}, boot allocator {(state.BootAllocator.HasEnded ? "ended" : "open")}.");
            }

            _state = state;
        }
    }

    /// <summary>Creates a domain this machine tracks (audited and counted in the census by owner).</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for a negative or already used id.</exception>
    public Domain CreateDomain(int id, ulong maxPages)
    {
        var domains = State.Domains;
        lock (domains)
        {
            if (domains.Any(d => d.Id == id))
            {
                throw new XenMmException(MmError.InvalidArgument, $"Domain {id} already exists.");
            }

            var d = new Domain(id, maxPages);
            domains.Add(d);
            return d;
        }
    }

    /// <summary>The page census: every RAM page in exactly one <see cref="PageUse"/>, with the violations found.</summary>
    public MachineCensus Census() => MachineCensus.Take(State);

    /// <summary>
    /// Every check at once: the heap audit, each CPU's page-table audit, the census, and the heap model's and
    /// domain-page mapper's own checks where they have them. Empty when the machine is consistent.
    /// </summary>
    public IReadOnlyList<AuditViolation> Audit()
    {
        var state = State;
        var list = new List<AuditViolation>(new HeapAudit(state.Heap, Domains).Run());
        foreach (var tree in state.Cpus.Select(c => c.Mappings).Distinct())
        {
            if (tree is IAuditable auditable)
            {
                auditable.Audit(list);
            }
        }

        list.AddRange(Census().Violations);
        (state.HeapModel as IAuditable)?.Audit(list);
        (state.DomainPages as IAuditable)?.Audit(list);
        return list;
    }

    // Xen: early_print_info, then start_xen's "Command line:" line.
    private void EarlyPrintInfo(BootContext context)
    {
        foreach (var bank in Options.Ram.OrderBy(b => b.Start.Value))
        {
            context.Log($"RAM: {bank.Start.Value:x16} - {bank.End - 1:x16}");
        }

        for (var i = 0; i < Options.Modules.Count; i++)
        {
            var m = Options.Modules[i];
            context.Log($"MODULE[{i}]: {m.Start.Value:x16} - {m.End - 1:x16} {m.KindName,-12}");
        }

        for (var i = 0; i < Options.Reserved.Count; i++)
        {
            var r = Options.Reserved[i];
            context.Log($" RESVD[{i}]: {r.Start.Value:x16} - {r.End - 1:x16}");
        }

        context.Log($"Command line: {CommandLine.Text}");
        foreach (var message in CommandLine.Messages)
        {
            context.Log(message);
        }
    }
}

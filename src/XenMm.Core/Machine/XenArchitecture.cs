using XenMm.Heap;
using XenMm.Layout;
using XenMm.PageTables;

namespace XenMm.Machine;

/// <summary>
/// The usual shape of an architecture plug-in over the page-table format <typeparamref name="TFormat"/>: Xen's
/// boot order is fixed here, the architecture supplies each step.
/// </summary>
/// <typeparam name="TFormat">The page-table format of Xen's own tables.</typeparam>
public abstract class XenArchitecture<TFormat> : IArchitecture
    where TFormat : struct, IPageTableFormat
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public string PageTableFormat => TFormat.Name;

    /// <inheritdoc />
    public abstract int BitsPerLong { get; }

    /// <inheritdoc />
    public virtual int PaddrBits => TFormat.PaBits;

    /// <inheritdoc />
    public abstract int PageInfoSize { get; }

    /// <inheritdoc />
    public abstract IAddressSpaceLayout GetLayout(XenProfile profile);

    /// <inheritdoc />
    public abstract HeapConfig GetHeapConfig(XenProfile profile);

    /// <inheritdoc />
    public abstract MachineOptions DefaultBoard();

    /// <inheritdoc />
    public abstract BootModule DefaultXenImage(MachineOptions options);

    /// <summary>
    /// Xen's order (arch/arm/setup.c, <c>start_xen</c>): <see cref="SetupPageTables"/>, <see cref="SetupMm"/>, then
    /// <c>vm_init</c> and <c>end_boot_allocator</c> (current Xen; in the 2013 profile <c>setup_mm</c> ended the boot
    /// allocator itself, before <c>vm_init</c>), then <see cref="InitSecondaryCpu"/> for CPUs 1 and up.
    /// </summary>
    public virtual void Boot(BootContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        SetupPageTables(context);
        SetupMm(context);
        if (context.Profile == XenProfile.Xen2013)
        {
            context.EndBootAllocator();
            context.VmInit(context.Cpus[0].Mappings);
        }
        else
        {
            context.VmInit(context.Cpus[0].Mappings);
            context.EndBootAllocator();
        }

        for (var cpu = 1; cpu < context.Options.Cpus; cpu++)
        {
            InitSecondaryCpu(context, cpu);
        }
    }

    /// <summary>
    /// Xen's <c>setup_pagetables</c>: the boot CPU's tables, whose static tables live in Xen's image
    /// (<see cref="BootContext.TakeImagePage"/>); registers CPU 0 with <see cref="BootContext.AddCpu"/>.
    /// </summary>
    protected abstract void SetupPageTables(BootContext context);

    /// <summary>
    /// Xen's <c>setup_mm</c>: places the xenheap or builds the direct map, populates the boot allocator, builds the
    /// frame table, and registers the heap model and the domain-page mapper.
    /// </summary>
    protected abstract void SetupMm(BootContext context);

    /// <summary>Brings up secondary CPU <paramref name="cpu"/>'s memory state and registers it with <see cref="BootContext.AddCpu"/>.</summary>
    protected abstract void InitSecondaryCpu(BootContext context, int cpu);
}

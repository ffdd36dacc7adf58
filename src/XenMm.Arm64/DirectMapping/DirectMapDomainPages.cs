using XenMm.Machine;

namespace XenMm.Arm64.DirectMapping;

/// <summary>
/// <c>map_domain_page</c> on arm64 (xen-mm.md §4.3): no <c>CONFIG_ARCH_MAP_DOMAIN_PAGE</c>, so Xen uses the generic
/// fallback of <c>xen/domain_page.h</c>: a mapping is the page's direct-map address, unmapping does nothing, and
/// <c>domain_page_map_to_mfn</c> is <c>virt_to_mfn</c>. Stateless and thread-safe.
/// </summary>
public sealed class DirectMapDomainPages : IDomainPageMapper
{
    private readonly DirectMap _map;
    private readonly int _cpus;

    /// <summary>Creates the mapper over <paramref name="map"/> for a machine of <paramref name="cpus"/> CPUs.</summary>
    public DirectMapDomainPages(DirectMap map, int cpus)
    {
        _map = map ?? throw new ArgumentNullException(nameof(map));
        _cpus = cpus > 0 ? cpus : throw new XenMmException(MmError.InvalidArgument, $"A machine has at least one CPU, not {cpus}.");
    }

    /// <summary>The direct map the mappings come from.</summary>
    public DirectMap DirectMap => _map;

    /// <summary>Xen's <c>map_domain_page(mfn)</c> = <c>mfn_to_virt(mfn)</c>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for a CPU that does not exist, <see cref="MmError.InvalidAddress"/> for an MFN outside RAM.</exception>
    public VirtAddr Map(int cpu, Mfn mfn)
    {
        CheckCpu(cpu);
        return MapGlobal(mfn);
    }

    /// <summary>Xen's <c>unmap_domain_page(va)</c>: nothing to undo on arm64; the address must still be a direct-map one.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for a CPU that does not exist, <see cref="MmError.NotMapped"/> outside the direct map.</exception>
    public void Unmap(int cpu, VirtAddr va)
    {
        CheckCpu(cpu);
        UnmapGlobal(va);
    }

    /// <summary>Xen's <c>domain_page_map_to_mfn(va)</c> = <c>virt_to_mfn(va)</c>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for a CPU that does not exist, <see cref="MmError.NotMapped"/> outside the direct map.</exception>
    public Mfn ToMfn(int cpu, VirtAddr va)
    {
        CheckCpu(cpu);
        if (!_map.TryVirtToMaddr(va, out var ma))
        {
            throw NotMapped(va);
        }

        return ma.Mfn;
    }

    /// <summary>Xen's <c>map_domain_page_global(mfn)</c> = <c>mfn_to_virt(mfn)</c>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidAddress"/> for an MFN outside RAM.</exception>
    public VirtAddr MapGlobal(Mfn mfn)
    {
        if (mfn.Value > (ulong.MaxValue >> Addressing.PageShift))
        {
            throw new XenMmException(MmError.InvalidAddress, $"MFN {mfn} is not RAM.");
        }

        return _map.MaddrToVirt(mfn.ToPhysAddr());
    }

    /// <summary>Xen's <c>unmap_domain_page_global(va)</c>: a no-op on a direct-map address.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.NotMapped"/> outside the direct map.</exception>
    public void UnmapGlobal(VirtAddr va)
    {
        if (!_map.TryVirtToMaddr(va, out _))
        {
            throw NotMapped(va);
        }
    }

    private static XenMmException NotMapped(VirtAddr va) =>
        new(MmError.NotMapped, $"VA {va} is not a direct-map address of RAM; arm64's map_domain_page maps nothing else.");

    private void CheckCpu(int cpu)
    {
        if ((uint)cpu >= (uint)_cpus)
        {
            throw new XenMmException(MmError.InvalidArgument, $"CPU {cpu} does not exist (the machine has {_cpus}).");
        }
    }
}

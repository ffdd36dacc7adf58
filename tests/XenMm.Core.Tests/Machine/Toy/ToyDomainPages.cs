using XenMm.Machine;

namespace XenMm.Tests.Machine.Toy;

/// <summary>The toy's map_domain_page: the direct map, as on arm64 (Xen's generic fallback in xen/domain_page.h).</summary>
internal sealed class ToyDomainPages(ToyHeapModel model, int cpus) : IDomainPageMapper
{
    public VirtAddr Map(int cpu, Mfn mfn) => model.MaddrToVirt(CheckCpu(cpu, mfn.ToPhysAddr()));

    public void Unmap(int cpu, VirtAddr va) => model.VirtToMaddr(CheckCpu(cpu, va));

    public Mfn ToMfn(int cpu, VirtAddr va) => model.VirtToMaddr(CheckCpu(cpu, va)).Mfn;

    public VirtAddr MapGlobal(Mfn mfn) => model.MaddrToVirt(mfn.ToPhysAddr());

    public void UnmapGlobal(VirtAddr va) => model.VirtToMaddr(va);

    private T CheckCpu<T>(int cpu, T value) => (uint)cpu < (uint)cpus
        ? value
        : throw new XenMmException(MmError.InvalidArgument, $"CPU {cpu} does not exist (the machine has {cpus}).");
}

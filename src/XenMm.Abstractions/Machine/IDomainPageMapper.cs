namespace XenMm.Machine;

/// <summary>
/// Xen's <c>map_domain_page</c> family for an architecture (arm32: per-CPU 2 MiB slots at 2G-4G; arm64: the
/// direct map). A mapping made on one CPU is used on that CPU.
/// </summary>
/// <remarks>Implementations are thread-safe. Refusals throw <see cref="XenMmException"/> and change nothing.</remarks>
public interface IDomainPageMapper
{
    /// <summary>Xen's <c>map_domain_page(mfn)</c> on <paramref name="cpu"/>.</summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidArgument"/> for a CPU that does not exist, <see cref="MmError.InvalidAddress"/> for an
    /// MFN outside RAM, <see cref="MmError.SlotsExhausted"/> when every slot is busy (Xen: BUG).
    /// </exception>
    VirtAddr Map(int cpu, Mfn mfn);

    /// <summary>Xen's <c>unmap_domain_page(va)</c> on <paramref name="cpu"/>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.NotMapped"/> when nothing is mapped there on that CPU.</exception>
    void Unmap(int cpu, VirtAddr va);

    /// <summary>Xen's <c>domain_page_map_to_mfn(va)</c> on <paramref name="cpu"/>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.NotMapped"/> when <paramref name="va"/> maps nothing.</exception>
    Mfn ToMfn(int cpu, VirtAddr va);

    /// <summary>Xen's <c>map_domain_page_global(mfn)</c>: a mapping visible on every CPU.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidAddress"/> for an MFN outside RAM, <see cref="MmError.OutOfMemory"/> when no VA is left.</exception>
    VirtAddr MapGlobal(Mfn mfn);

    /// <summary>Xen's <c>unmap_domain_page_global(va)</c>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.NotMapped"/> when <paramref name="va"/> is not a global mapping.</exception>
    void UnmapGlobal(VirtAddr va);
}

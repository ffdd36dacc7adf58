using XenMm.Heap;
using XenMm.Layout;

namespace XenMm.Machine;

/// <summary>
/// An architecture plug-in: what varies between the architectures Xen runs on, tied together (the page-table
/// format, the address-space layout, the heap model, the domain-page mapper) and the architecture's part of
/// <c>start_xen</c>'s memory set-up. A new architecture is one more package implementing this, usually through
/// <see cref="XenArchitecture{TFormat}"/>.
/// </summary>
public interface IArchitecture
{
    /// <summary>A short name (<c>arm32</c>, <c>arm64</c>), as the CLI and checkpoints name it.</summary>
    string Name { get; }

    /// <summary>The page-table format's name (<c>lpae</c>, <c>vmsa64</c>).</summary>
    string PageTableFormat { get; }

    /// <summary>Width of Xen's <c>unsigned long</c> (<c>BITS_PER_LONG</c>).</summary>
    int BitsPerLong { get; }

    /// <summary>Width of a physical address (<c>PADDR_BITS</c>).</summary>
    int PaddrBits { get; }

    /// <summary>Size of <c>struct page_info</c> in bytes (32 on arm32, 56 on arm64): what the frame table's size is computed from.</summary>
    int PageInfoSize { get; }

    /// <summary>The hypervisor virtual layout for <paramref name="profile"/>.</summary>
    IAddressSpaceLayout GetLayout(XenProfile profile);

    /// <summary>The buddy heap's constants for <paramref name="profile"/>.</summary>
    HeapConfig GetHeapConfig(XenProfile profile);

    /// <summary>The board used when the caller gives no RAM: a QEMU <c>virt</c>-like machine with RAM at 0x4000_0000.</summary>
    MachineOptions DefaultBoard();

    /// <summary>Where the boot loader puts Xen's image when the options name none (Xen registers it as module 0).</summary>
    /// <param name="options">The validated options (RAM banks sorted or not).</param>
    BootModule DefaultXenImage(MachineOptions options);

    /// <summary>
    /// Runs the memory part of <c>start_xen</c> for this architecture on <paramref name="context"/>, in Xen's order:
    /// the architecture's own steps (page tables, <c>setup_mm</c>, per-CPU set-up) and the generic ones the context
    /// offers (<see cref="BootContext.PopulateBootAllocator"/>, <see cref="BootContext.InitFrametable"/>,
    /// <see cref="BootContext.VmInit"/>, <see cref="BootContext.EndBootAllocator"/>). It must register every CPU, a heap
    /// model and a domain-page mapper.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.BootFailed"/> where Xen would panic.</exception>
    void Boot(BootContext context);
}

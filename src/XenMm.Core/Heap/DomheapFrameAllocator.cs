using XenMm.Domains;
using XenMm.Memory;

namespace XenMm.Heap;

/// <summary>
/// Frames for page tables and vmap from the domheap, as Xen takes them: <c>alloc_domheap_page(NULL, 0)</c>
/// and <c>free_domheap_page</c> (anonymous, so freed pages are scrubbed lazily).
/// </summary>
public sealed class DomheapFrameAllocator : IFrameAllocator
{
    private readonly Domheap _domheap;
    private readonly HashSet<ulong> _mine = [];
    private readonly Lock _gate = new();

    /// <summary>Creates an allocator over <paramref name="domheap"/>.</summary>
    public DomheapFrameAllocator(Domheap domheap)
    {
        _domheap = domheap ?? throw new ArgumentNullException(nameof(domheap));
    }

    /// <summary>How many frames this allocator has handed out and not yet taken back.</summary>
    public int Allocated
    {
        get
        {
            using (_gate.EnterScope())
            {
                return _mine.Count;
            }
        }
    }

    /// <inheritdoc />
    public bool TryAllocate(out Mfn mfn)
    {
        if (!_domheap.TryAllocPages(null, 0, MemFlags.None, out mfn))
        {
            return false;
        }

        using (_gate.EnterScope())
        {
            _mine.Add(mfn.Value);
        }

        return true;
    }

    /// <inheritdoc />
    /// <remarks>An anonymous order-0 allocation takes any domheap zone on any node, within the unclaimed pages.</remarks>
    public ulong Available => _domheap.AvailableAnonymousPages();

    /// <inheritdoc />
    public void Free(Mfn mfn)
    {
        using (_gate.EnterScope())
        {
            if (!_mine.Contains(mfn.Value))
            {
                throw new XenMmException(MmError.NotAllocated, $"MFN {mfn} was not allocated by this frame allocator (or is already free).");
            }

            _domheap.FreePages(mfn, 0);
            _mine.Remove(mfn.Value);
        }
    }
}

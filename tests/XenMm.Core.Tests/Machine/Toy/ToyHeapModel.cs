using System.Buffers;
using XenMm.Domains;
using XenMm.Heap;
using XenMm.Machine;
using XenMm.Memory;

namespace XenMm.Tests.Machine.Toy;

/// <summary>The toy's unified heap: xenheap pages are domheap pages flagged PGC_xen_heap, reached through the direct map.</summary>
internal sealed class ToyHeapModel(Domheap domheap, PhysicalMemory memory) : IHeapModel, ICheckpointable
{
    private readonly SortedDictionary<ulong, int> _live = [];

    public string Name => "unified";

    public MfnRange? XenheapRange => null;

    public VirtAddr XenheapVirtStart => new(ToyArchitecture.DirectmapVirtStart);

    public IReadOnlyList<MfnRange> BufferPages => [];

    public IReadOnlyList<MfnRange> XenheapAllocations
    {
        get
        {
            lock (_live)
            {
                return [.. _live.Select(kv => new MfnRange(new Mfn(kv.Key), 1UL << kv.Value))];
            }
        }
    }

    public bool TryAllocXenheapPages(int order, MemFlags flags, out VirtAddr va)
    {
        lock (_live)
        {
            if (!domheap.TryAllocPages(null, order, flags | MemFlags.NoScrub, out var mfn))
            {
                va = default;
                return false;
            }

            domheap.Heap.SetXenHeapFlag(mfn, order, true);
            _live.Add(mfn.Value, order);
            va = MaddrToVirt(mfn.ToPhysAddr());
            return true;
        }
    }

    public void FreeXenheapPages(VirtAddr va, int order)
    {
        lock (_live)
        {
            var mfn = VirtToMaddr(va).Mfn;
            if (!va.IsPageAligned || !_live.TryGetValue(mfn.Value, out var o) || o != order)
            {
                throw new XenMmException(MmError.NotAllocated, $"{va} is not a live xenheap allocation of order {order}.");
            }

            domheap.Heap.SetXenHeapFlag(mfn, order, false);
            domheap.FreePages(mfn, order);
            _live.Remove(mfn.Value);
        }
    }

    public bool IsXenHeapPage(Mfn mfn) => domheap.Heap.IsXenHeapPage(mfn);

    public bool IsXenHeapMfn(Mfn mfn) => domheap.Heap.FrameTable.MfnValid(mfn) && IsXenHeapPage(mfn);

    public VirtAddr MaddrToVirt(PhysAddr ma) => memory.IsRam(ma)
        ? new VirtAddr(ToyArchitecture.DirectmapVirtStart + ma.Value)
        : throw new XenMmException(MmError.InvalidAddress, $"{ma} is not RAM, so not in the direct map.");

    public PhysAddr VirtToMaddr(VirtAddr va)
    {
        var pa = new PhysAddr(va.Value - ToyArchitecture.DirectmapVirtStart);
        return va.Value >= ToyArchitecture.DirectmapVirtStart && memory.IsRam(pa)
            ? pa
            : throw new XenMmException(MmError.InvalidAddress, $"{va} is not in the direct map of RAM.");
    }

    // The live xenheap allocations.
    public void SaveCheckpoint(IBufferWriter<byte> writer)
    {
        lock (_live)
        {
            XenMm.Checkpoint.BlockListPayload.Write(writer, [.. _live.Select(kv => (kv.Key, kv.Value))]);
        }
    }

    public void RestoreCheckpoint(ReadOnlyMemory<byte> payload)
    {
        var blocks = XenMm.Checkpoint.BlockListPayload.Read(payload, "toy heap model", domheap.Heap.MaxOrder);
        lock (_live)
        {
            _live.Clear();
            foreach (var (mfn, order) in blocks)
            {
                _live.Add(mfn, order);
            }
        }
    }
}

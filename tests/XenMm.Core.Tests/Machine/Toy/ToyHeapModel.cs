using System.Buffers;
using System.Runtime.InteropServices;
using MessagePack;
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

    // The live xenheap allocations: MFNs in address order, then their orders.
    public void SaveCheckpoint(IBufferWriter<byte> writer)
    {
        ulong[] mfns;
        byte[] orders;
        lock (_live)
        {
            mfns = [.. _live.Keys];
            orders = [.. _live.Values.Select(o => (byte)o)];
        }

        var w = new MessagePackWriter(writer);
        w.WriteArrayHeader(2);
        w.Write(MemoryMarshal.AsBytes(mfns.AsSpan()));
        w.Write(orders);
        w.Flush();
    }

    public void RestoreCheckpoint(ReadOnlyMemory<byte> payload)
    {
        var r = new MessagePackReader(payload);
        if (r.ReadArrayHeader() != 2)
        {
            throw new XenMmException(MmError.CorruptCheckpoint, "toy heap model: not a two-element array");
        }

        var mfns = MemoryMarshal.Cast<byte, ulong>(r.ReadBytes()!.Value.ToArray()).ToArray();
        var orders = r.ReadBytes()!.Value.ToArray();
        if (orders.Length != mfns.Length || !r.End)
        {
            throw new XenMmException(MmError.CorruptCheckpoint, $"toy heap model: {mfns.Length} MFNs, {orders.Length} orders");
        }

        lock (_live)
        {
            _live.Clear();
            for (var i = 0; i < mfns.Length; i++)
            {
                if (orders[i] > domheap.Heap.MaxOrder || !domheap.Heap.FrameTable.MfnValid(new Mfn(mfns[i])) || !_live.TryAdd(mfns[i], orders[i]))
                {
                    throw new XenMmException(MmError.CorruptCheckpoint, $"toy heap model: allocation {i} at MFN 0x{mfns[i]:x} order {orders[i]} is impossible");
                }
            }
        }
    }
}

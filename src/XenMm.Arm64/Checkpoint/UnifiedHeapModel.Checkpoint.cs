using System.Buffers;
using XenMm.Checkpoint;
using XenMm.Machine;

namespace XenMm.Arm64.Heap;

// The unified model's checkpoint: its live xenheap allocations. xenheap_bits and the direct map are boot's; the
// pages' PGC_xen_heap flags are in the frame table, and the audit checks the two agree after a restore.
public sealed partial class UnifiedHeapModel : ICheckpointable
{
    /// <inheritdoc />
    public void SaveCheckpoint(IBufferWriter<byte> writer)
    {
        List<(ulong, int)> live;
        lock (_gate)
        {
            live = [.. _live.Select(kv => (kv.Key, kv.Value))];
        }

        BlockListPayload.Write(writer, live);
    }

    /// <inheritdoc />
    public void RestoreCheckpoint(ReadOnlyMemory<byte> payload)
    {
        var blocks = BlockListPayload.Read(payload, "unified heap model", _heap.MaxOrder);
        foreach (var (mfn, order) in blocks)
        {
            if (!_heap.FrameTable.IsRamRange(new Mfn(mfn), 1UL << order))
            {
                throw new XenMmException(MmError.CorruptCheckpoint, $"Corrupt checkpoint: unified heap model: xenheap allocation at MFN 0x{mfn:x} of order {order} is not RAM.");
            }
        }

        lock (_gate)
        {
            _live.Clear();
            foreach (var (mfn, order) in blocks)
            {
                _live.Add(mfn, order);
            }
        }
    }
}

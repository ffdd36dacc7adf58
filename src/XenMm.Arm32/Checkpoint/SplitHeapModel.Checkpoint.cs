using System.Buffers;
using XenMm.Checkpoint;
using XenMm.Machine;

namespace XenMm.Arm32.Heap;

// The split model's checkpoint: its live xenheap allocations (the buffers and range are boot's, rebuilt by boot).
public sealed partial class SplitHeapModel : ICheckpointable
{
    /// <inheritdoc />
    public void SaveCheckpoint(IBufferWriter<byte> writer)
    {
        List<(ulong, int)> live;
        lock (_lock)
        {
            live = [.. _live.Select(p => (p.Key, p.Value))];
        }

        BlockListPayload.Write(writer, live);
    }

    /// <inheritdoc />
    public void RestoreCheckpoint(ReadOnlyMemory<byte> payload)
    {
        var blocks = BlockListPayload.Read(payload, "split heap model", _heap.MaxOrder);
        foreach (var (mfn, order) in blocks)
        {
            var block = new MfnRange(new Mfn(mfn), 1UL << order);
            if (!Range.Contains(block.Start) || block.End.Value > Range.End.Value)
            {
                throw new XenMmException(MmError.CorruptCheckpoint, $"Corrupt checkpoint: split heap model: xenheap allocation {block} lies outside the xenheap {Range}.");
            }
        }

        lock (_lock)
        {
            _live.Clear();
            foreach (var (mfn, order) in blocks)
            {
                _live.Add(mfn, order);
            }
        }
    }
}

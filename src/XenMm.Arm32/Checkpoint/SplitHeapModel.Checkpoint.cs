using System.Buffers;
using System.Runtime.InteropServices;
using MessagePack;
using XenMm.Machine;

namespace XenMm.Arm32.Heap;

// The split model's checkpoint: its live xenheap allocations (the buffers and range are boot's, rebuilt by boot).
public sealed partial class SplitHeapModel : ICheckpointable
{
    /// <inheritdoc />
    public void SaveCheckpoint(IBufferWriter<byte> writer)
    {
        ulong[] mfns;
        byte[] orders;
        lock (_lock)
        {
            var live = _live.OrderBy(p => p.Key).ToList();
            mfns = [.. live.Select(p => p.Key)];
            orders = [.. live.Select(p => (byte)p.Value)];
        }

        var w = new MessagePackWriter(writer);
        w.WriteArrayHeader(2);
        w.Write(MemoryMarshal.AsBytes(mfns.AsSpan()));
        w.Write(orders);
        w.Flush();
    }

    /// <inheritdoc />
    public void RestoreCheckpoint(ReadOnlyMemory<byte> payload)
    {
        var (mfns, orders) = Arm32Checkpoint.ReadAllocations(payload, "split heap model");
        var live = new Dictionary<ulong, int>();
        for (var i = 0; i < mfns.Length; i++)
        {
            var block = new MfnRange(new Mfn(mfns[i]), 1UL << orders[i]);
            if (orders[i] > _heap.MaxOrder || (mfns[i] & (block.Pages - 1)) != 0 || !Range.Contains(block.Start)
                || block.End.Value > Range.End.Value || (i > 0 && mfns[i] < mfns[i - 1] + (1UL << orders[i - 1])))
            {
                throw new XenMmException(MmError.CorruptCheckpoint, $"Corrupt checkpoint: split heap model: xenheap allocation {i} {block} (order {orders[i]}) is outside the xenheap {Range}, misaligned or overlapping.");
            }

            live.Add(mfns[i], orders[i]);
        }

        lock (_lock)
        {
            _live.Clear();
            foreach (var (mfn, order) in live)
            {
                _live.Add(mfn, order);
            }
        }
    }
}

using System.Buffers;
using System.Runtime.InteropServices;
using MessagePack;

namespace XenMm.Checkpoint;

/// <summary>
/// The payload most heap models need for <see cref="Machine.ICheckpointable"/>: a list of (MFN, order) blocks in address
/// order (live xenheap allocations, say), written and read back with every length checked.
/// </summary>
public static class BlockListPayload
{
    /// <summary>Writes <paramref name="blocks"/> (MFN ascending) to <paramref name="writer"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, IEnumerable<(ulong Mfn, int Order)> blocks)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(blocks);
        var list = blocks.OrderBy(b => b.Mfn).ToList();
        ulong[] mfns = [.. list.Select(b => b.Mfn)];
        byte[] orders = [.. list.Select(b => (byte)b.Order)];
        var w = new MessagePackWriter(writer);
        w.WriteArrayHeader(2);
        w.Write(MemoryMarshal.AsBytes(mfns.AsSpan()));
        w.Write(orders);
        w.Flush();
    }

    /// <summary>
    /// Reads blocks written by <see cref="Write"/>: MFNs strictly ascending, each naturally aligned to its order, no two
    /// overlapping, orders at most <paramref name="maxOrder"/>.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.CorruptCheckpoint"/> naming <paramref name="part"/> and the bad block.</exception>
    public static IReadOnlyList<(ulong Mfn, int Order)> Read(ReadOnlyMemory<byte> payload, string part, int maxOrder)
    {
        try
        {
            var r = new BodyReader(payload, part);
            r.Array("block list", 2);
            var mfns = r.Array<ulong>("block MFNs");
            var orders = r.Array<byte>("block orders", mfns.Length);
            r.ExpectEnd();
            var blocks = new List<(ulong, int)>(mfns.Length);
            for (var i = 0; i < mfns.Length; i++)
            {
                if (orders[i] > maxOrder || (mfns[i] & ((1UL << orders[i]) - 1)) != 0 || (i > 0 && mfns[i] < mfns[i - 1] + (1UL << orders[i - 1])))
                {
                    throw r.Corrupt($"block {i} at MFN 0x{mfns[i]:x} of order {orders[i]} is misaligned, overlaps the one before, or is above order {maxOrder}");
                }

                blocks.Add((mfns[i], orders[i]));
            }

            return blocks;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw BodyReader.Wrap(ex, part);
        }
    }
}

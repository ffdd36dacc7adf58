using System.Buffers;
using System.Runtime.InteropServices;
using MessagePack;
using XenMm.Checkpoint;
using XenMm.Machine;

namespace XenMm.PageTables;

// A tree's checkpoint: the table pages it owns, in address order. The tables' bytes are in memory; the TLB log
// is history, not state, and is not saved.
public sealed partial class XenMappings<TFormat> : ICheckpointable
{
    /// <inheritdoc />
    public void SaveCheckpoint(IBufferWriter<byte> writer)
    {
        ulong[] owned;
        using (PtLock.EnterScope())
        {
            owned = Tables.OwnedFrames();
        }

        var w = new MessagePackWriter(writer);
        w.WriteArrayHeader(1);
        w.Write(MemoryMarshal.AsBytes(owned.AsSpan()));
        w.Flush();
    }

    /// <inheritdoc />
    public void RestoreCheckpoint(ReadOnlyMemory<byte> payload)
    {
        var what = $"{TFormat.Name} tree at {Tables.Root}";
        var r = new BodyReader(payload, what);
        r.Array("table tree", 1);
        var owned = r.Array<ulong>("owned table pages");
        r.ExpectEnd();
        var root = Tables.Root.Mfn.Value;
        var hasRoot = false;
        for (var i = 0; i < owned.Length; i++)
        {
            if ((i > 0 && owned[i] <= owned[i - 1]) || owned[i] > (ulong.MaxValue >> Addressing.PageShift) || !Tables.Memory.IsRam(new Mfn(owned[i])))
            {
                throw CheckpointErrors.Corrupt(what, $"owned table page {i} (MFN 0x{owned[i]:x}) is out of order or not RAM");
            }

            hasRoot |= owned[i] == root;
        }

        if (!hasRoot)
        {
            throw CheckpointErrors.Corrupt(what, "the root table is not among the owned pages");
        }

        using (PtLock.EnterScope())
        {
            Tables.ReplaceOwned(owned);
        }
    }
}

using System.Buffers;
using MessagePack;
using XenMm.Machine;

namespace XenMm.Arm32.DomainPages;

// The slots' checkpoint: each CPU's TLB-flush count and last flushed VA. The slots themselves live in the dommap
// tables, in memory.
public sealed partial class DomainPageSlots : ICheckpointable
{
    /// <inheritdoc />
    public void SaveCheckpoint(IBufferWriter<byte> writer)
    {
        var w = new MessagePackWriter(writer);
        lock (_cpus)
        {
            w.WriteArrayHeader(_cpus.Count * 2);
            foreach (var c in _cpus)
            {
                w.Write(Interlocked.Read(ref c.Flushes));
                w.Write(c.LastFlush);
            }
        }

        w.Flush();
    }

    /// <inheritdoc />
    public void RestoreCheckpoint(ReadOnlyMemory<byte> payload)
    {
        lock (_cpus)
        {
            var values = Arm32Checkpoint.ReadCounters(payload, "map_domain_page slots", _cpus.Count * 2);
            for (var i = 0; i < _cpus.Count; i++)
            {
                if (values[2 * i] < 0 || (values[2 * i] == 0 && values[(2 * i) + 1] != 0))
                {
                    throw new XenMmException(MmError.CorruptCheckpoint, $"Corrupt checkpoint: map_domain_page slots: CPU {i} flush count {values[2 * i]} with last VA 0x{values[(2 * i) + 1]:x}.");
                }
            }

            for (var i = 0; i < _cpus.Count; i++)
            {
                Interlocked.Exchange(ref _cpus[i].Flushes, values[2 * i]);
                _cpus[i].LastFlush = (ulong)values[(2 * i) + 1];
            }
        }
    }
}

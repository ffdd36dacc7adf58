using System.Buffers;
using MessagePack;
using XenMm.Workloads;

namespace XenMm.Checkpoint;

/// <summary>
/// A workload's state as checkpoint attachment bytes, so that a run saved with its machine resumes exactly:
/// <see cref="ChurnWorkloadState"/> and <see cref="DomainsWorkloadState"/> out and back in, bounded and checked.
/// </summary>
public static class WorkloadStateCodec
{
    /// <summary>The attachment name the CLI stores a workload under.</summary>
    public const string AttachmentName = "workload";

    /// <summary>Encodes a churn workload's state.</summary>
    public static byte[] Encode(ChurnWorkloadState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Write(w =>
        {
            w.WriteArrayHeader(10);
            w.Write("churn");
            w.Write(state.Seed);
            w.Write(state.Pages);
            w.Write(state.Generator);
            w.Write(state.Operations);
            w.Write(state.Allocs);
            w.Write(state.Frees);
            w.Write(state.Failures);
            w.Write(state.AllocHash);
            w.WriteArrayHeader(state.Live.Count * 2);
            foreach (var (mfn, order) in state.Live)
            {
                w.Write(mfn);
                w.Write(order);
            }
        });
    }

    /// <summary>Encodes a domains workload's state.</summary>
    public static byte[] Encode(DomainsWorkloadState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Write(w =>
        {
            w.WriteArrayHeader(11);
            w.Write("domains");
            w.Write(state.Seed);
            w.Write(state.DomainCount);
            w.Write(state.MaxPages);
            w.Write(state.Generator);
            w.Write(state.Operations);
            w.Write(state.Failures);
            w.Write(state.Refusals);
            w.Write(state.ResultHash);
            w.WriteArrayHeader(state.Owned.Count * 3);
            foreach (var (d, mfn, order) in state.Owned)
            {
                w.Write(d);
                w.Write(mfn);
                w.Write(order);
            }

            w.WriteArrayHeader(state.Xenheap.Count * 2);
            foreach (var (va, order) in state.Xenheap)
            {
                w.Write(va);
                w.Write(order);
            }
        });
    }

    /// <summary>The workload kind the bytes hold: <c>churn</c> or <c>domains</c>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.CorruptCheckpoint"/> when the bytes are not a workload state.</exception>
    public static string Kind(ReadOnlyMemory<byte> bytes) => Read(bytes, (ref BodyReader r) =>
    {
        r.Array("workload");
        return r.Str("workload kind", 16);
    });

    /// <summary>Decodes a churn workload's state.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.CorruptCheckpoint"/> when the bytes are not one.</exception>
    public static ChurnWorkloadState DecodeChurn(ReadOnlyMemory<byte> bytes) => Read(bytes, (ref BodyReader r) =>
    {
        r.Array("churn workload", 10);
        if (r.Str("workload kind", 16) != "churn")
        {
            throw r.Corrupt("not a churn workload");
        }

        var (seed, pages, gen, ops, allocs, frees, failures, hash) = (r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64());
        var n = r.Array("live blocks");
        if (n % 2 != 0)
        {
            throw r.Corrupt($"{n} values for (MFN, order) pairs");
        }
        var live = new List<(ulong, int)>(n / 2);
        for (var i = 0; i + 1 < n; i += 2)
        {
            live.Add((r.U64(), r.Int("order", 0, 24)));
        }

        r.ExpectEnd();
        return new ChurnWorkloadState(seed, pages, gen, ops, allocs, frees, failures, hash, live);
    });

    /// <summary>Decodes a domains workload's state.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.CorruptCheckpoint"/> when the bytes are not one.</exception>
    public static DomainsWorkloadState DecodeDomains(ReadOnlyMemory<byte> bytes) => Read(bytes, (ref BodyReader r) =>
    {
        r.Array("domains workload", 11);
        if (r.Str("workload kind", 16) != "domains")
        {
            throw r.Corrupt("not a domains workload");
        }

        var seed = r.U64();
        var count = r.Int("domain count", 1, 64);
        var (max, gen, ops, failures, refusals, hash) = (r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64());
        var n = r.Array("owned blocks");
        if (n % 3 != 0)
        {
            throw r.Corrupt($"{n} values for (domain, MFN, order) triples");
        }
        var owned = new List<(int, ulong, int)>(n / 3);
        for (var i = 0; i + 2 < n; i += 3)
        {
            owned.Add((r.Int("domain", 1, 64), r.U64(), r.Int("order", 0, 24)));
        }

        n = r.Array("xenheap blocks");
        if (n % 2 != 0)
        {
            throw r.Corrupt($"{n} values for (VA, order) pairs");
        }
        var xen = new List<(ulong, int)>(n / 2);
        for (var i = 0; i + 1 < n; i += 2)
        {
            xen.Add((r.U64(), r.Int("order", 0, 24)));
        }

        r.ExpectEnd();
        return new DomainsWorkloadState(seed, count, max, gen, ops, failures, refusals, hash, owned, xen);
    });

    private delegate T Reader<T>(ref BodyReader r);

    private static T Read<T>(ReadOnlyMemory<byte> bytes, Reader<T> read)
    {
        const string where = "workload attachment";
        try
        {
            var r = new BodyReader(bytes, where);
            return read(ref r);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw BodyReader.Wrap(ex, where);
        }
    }

    private static byte[] Write(Action<MessagePackWriterBox> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var box = new MessagePackWriterBox(buffer);
        write(box);
        box.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    // MessagePackWriter is a ref struct; lambdas take this small forwarding box instead.
    private sealed class MessagePackWriterBox(IBufferWriter<byte> buffer)
    {
        private readonly IBufferWriter<byte> _buffer = buffer;

        public void WriteArrayHeader(int n) => Do((ref MessagePackWriter w) => w.WriteArrayHeader(n));

        public void Write(string s) => Do((ref MessagePackWriter w) => w.Write(s));

        public void Write(ulong v) => Do((ref MessagePackWriter w) => w.Write(v));

        public void Write(int v) => Do((ref MessagePackWriter w) => w.Write(v));

        public void Flush()
        {
        }

        private void Do(MachineCapture.BodyWriter write)
        {
            var w = new MessagePackWriter(_buffer);
            write(ref w);
            w.Flush();
        }
    }
}

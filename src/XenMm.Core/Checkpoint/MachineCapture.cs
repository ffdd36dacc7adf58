using System.Buffers;
using System.IO.Hashing;
using MessagePack;
using XenMm.Machine;

namespace XenMm.Checkpoint;

// Turns a booted machine into its records' uncompressed bodies, in file order. The same state always gives the same
// bytes: lists head to tail, blocks and chunks in address order, parts in role order.
internal static class MachineCapture
{
    public delegate void BodyWriter(ref MessagePackWriter w);

    public static List<(CheckpointRecordType Type, byte[] Body)> Capture(MachineState s, IEnumerable<KeyValuePair<string, byte[]>>? attachments)
    {
        var records = new List<(CheckpointRecordType, byte[])>
        {
            (CheckpointRecordType.Header, Body(Header(s).Write)),
            (CheckpointRecordType.Boot, Body(Boot(s).Write)),
        };
        records.AddRange(CaptureState(s));
        foreach (var (name, payload) in (attachments ?? []).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            records.Add((CheckpointRecordType.Attachment, Body(new NamedRecord { Name = name, Payload = payload }.Write)));
        }

        return records;
    }

    // The records that hold the machine's dynamic state (what the state hash covers).
    public static IEnumerable<(CheckpointRecordType Type, byte[] Body)> CaptureState(MachineState s)
    {
        List<DomainRecord> domains;
        lock (s.Domains)
        {
            domains = [.. s.Domains.Select(d => new DomainRecord(d.Id, d.MaxPages, d.TotPages, d.ExtraPages, d.OutstandingPages, d.IsDying, d.LastAllocNode))];
        }

        yield return (CheckpointRecordType.Domains, Body((ref MessagePackWriter w) => DomainRecord.WriteAll(ref w, domains)));
        foreach (var chunk in MemoryChunks(s.Memory))
        {
            yield return (CheckpointRecordType.Memory, chunk);
        }

        var (heap, frames) = s.Heap.CaptureCheckpoint();
        yield return (CheckpointRecordType.FrameTable, Body(frames.Write));
        yield return (CheckpointRecordType.Heap, Body(heap.Write));
        var vmap = s.Vmap!;
        var v = new VmapRecord { Regions = [.. Enumerable.Range(0, vmap.RegionSlots).Select(vmap.CaptureRegion)], Vmallocs = vmap.CaptureVmallocs() };
        yield return (CheckpointRecordType.Vmap, Body(v.Write));
        yield return (CheckpointRecordType.Frames, Body(Frames(s).Write));
        foreach (var (role, part) in Parts(s))
        {
            var buffer = new ArrayBufferWriter<byte>();
            part.SaveCheckpoint(buffer);
            yield return (CheckpointRecordType.Part, Body(new NamedRecord { Name = role, Payload = buffer.WrittenMemory }.Write));
        }
    }

    // Every part with registers of its own, by role: the heap model, the domain-page mapper and each distinct table tree.
    public static List<(string Role, ICheckpointable Part)> Parts(MachineState s)
    {
        var parts = new List<(string, ICheckpointable)>();
        if (s.HeapModel is ICheckpointable model)
        {
            parts.Add(("heap-model", model));
        }

        if (s.DomainPages is ICheckpointable mapper && !ReferenceEquals(mapper, s.HeapModel))
        {
            parts.Add(("domain-pages", mapper));
        }

        var seen = new List<object>();
        foreach (var cpu in s.Cpus)
        {
            if (cpu.Mappings is ICheckpointable tree && !seen.Any(o => ReferenceEquals(o, tree)))
            {
                seen.Add(tree);
                parts.Add(($"tables/cpu{cpu.Id}", tree));
            }
        }

        return parts;
    }

    public static HeaderRecord Header(MachineState s) => new()
    {
        WriterVersion = CheckpointFormat.WriterVersion,
        Architecture = s.Architecture.Name,
        PageTableFormat = s.Architecture.PageTableFormat,
        BitsPerLong = s.Architecture.BitsPerLong,
        PaddrBits = s.Architecture.PaddrBits,
        PageInfoSize = s.Architecture.PageInfoSize,
        Layout = s.Layout.Name,
        MaxOrder = s.HeapConfig.MaxOrder,
        NrZones = s.HeapConfig.NrZones,
        Nodes = s.HeapConfig.Nodes,
        Options = s.Options,
    };

    public static BootRecord Boot(MachineState s)
    {
        var bootRanges = BootHeapRanges(s);
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        foreach (var line in s.Log)
        {
            w.Write(line.Text);
            w.Write(line.FromXen);
        }

        foreach (var a in s.BootAllocator.Allocations)
        {
            w.Write(a.Mfn.Value);
            w.Write(a.Pages);
            w.Write(a.Align);
            w.Write((int)a.Use);
            w.Write(a.Purpose);
        }

        foreach (var (mfn, purpose) in s.ImagePages)
        {
            w.Write(mfn.Value);
            w.Write(purpose);
        }

        foreach (var r in s.RegionsAtEnd.Concat(s.HeapRanges.Take(bootRanges)))
        {
            w.Write(r.Start.Value);
            w.Write(r.Pages);
        }

        foreach (var cpu in s.Cpus)
        {
            w.Write(cpu.Root.Value);
        }

        w.Flush();
        return new BootRecord
        {
            Fingerprint = XxHash3.HashToUInt64(buffer.WrittenSpan),
            LogLines = s.Log.Count,
            Allocations = s.BootAllocator.Allocations.Count,
            HeapRanges = bootRanges,
        };
    }

    // Each boot frame given back to the heap added one range to HeapRanges; the ones before are boot's.
    public static int BootHeapRanges(MachineState s) => s.HeapRanges.Count - s.ReleasedBootFrames.Count;

    public static byte[] Body(BodyWriter write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        write(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static FramesRecord Frames(MachineState s)
    {
        lock (s.Frames)
        {
            var frames = s.Frames.OrderBy(kv => kv.Key).ToList();
            return new FramesRecord
            {
                Mfns = [.. frames.Select(kv => kv.Key)],
                Uses = [.. frames.Select(kv => (byte)kv.Value)],
                Released = [.. s.HeapRanges.Skip(BootHeapRanges(s)).Select(r => r.Start.Value)],
            };
        }
    }

    private static IEnumerable<byte[]> MemoryChunks(Memory.PhysicalMemory memory)
    {
        const int pageSize = (int)Addressing.PageSize;
        foreach (var (start, bytes) in memory.EnumerateBackedChunks())
        {
            var record = new MemoryRecord { Chunk = start.Value >> Memory.PhysicalMemory.ChunkShift };
            var pages = new ArrayBufferWriter<byte>();
            var firstMfn = start.Value >> Addressing.PageShift;
            for (var p = 0; p < Memory.PhysicalMemory.PagesPerChunk; p++)
            {
                var page = bytes.Span.Slice(p * pageSize, pageSize);
                if (page.ContainsAnyExcept((byte)0) && memory.IsRam(new Mfn(firstMfn + (ulong)p)))
                {
                    record.Mask[p >> 6] |= 1UL << (p & 63);
                    pages.Write(page);
                }
            }

            if (pages.WrittenCount != 0)
            {
                record.Pages = pages.WrittenMemory;
                yield return Body(record.Write);
            }
        }
    }
}

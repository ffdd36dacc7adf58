namespace XenMm.Checkpoint;

// What a pass over a checkpoint does with each record once it is framed, checksummed and decoded.
internal interface IRecordSink
{
    void Header(HeaderRecord header, string where);

    void Boot(BootRecord boot, string where);

    void Domains(List<DomainRecord> domains, string where);

    void Memory(MemoryRecord chunk, string where);

    void FrameTable(FrameTableRecord frames, string where);

    void Heap(HeapRecord heap, string where);

    void Vmap(VmapRecord vmap, string where);

    void Frames(FramesRecord frames, string where);

    void Part(NamedRecord part, string where);

    void Attachment(NamedRecord attachment, string where);

    void Record(RawRecord record);
}

// Reads a checkpoint front to back: prefix, records in order (each checked, decoded and handed to the sink), End,
// and nothing after it. Every failure is CorruptCheckpoint or IncompatibleCheckpoint naming where.
internal static class CheckpointParser
{
    private static readonly CheckpointRecordType[] Mandatory =
    [
        CheckpointRecordType.Header, CheckpointRecordType.Boot, CheckpointRecordType.Domains, CheckpointRecordType.FrameTable,
        CheckpointRecordType.Heap, CheckpointRecordType.Vmap, CheckpointRecordType.Frames,
    ];

    public static void Read(Stream stream, IRecordSink sink, IProgress<double>? progress = null, CancellationToken cancel = default)
    {
        // Every frame and checksum is checked before anything is decoded or booted: a damaged file costs one read.
        var records = ReadFrames(stream, cancel);
        var seen = new HashSet<CheckpointRecordType>();
        var rank = 0;
        var count = 0;
        foreach (var raw in records)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report((count + 1.0) / records.Count);
            var where = raw.Where;
            if (!CheckpointFormat.IsKnown(raw.Type))
            {
                if (count == 0)
                {
                    throw CheckpointErrors.Corrupt(where, "the first record is not the Header");
                }

                if (CheckpointFormat.IsOptional(raw.Type))
                {
                    count++;
                    continue;
                }

                throw CheckpointErrors.Incompatible($"{where} is a mandatory record type this XenMm does not know (written by a later XenMm)");
            }

            var type = (CheckpointRecordType)raw.Type;
            var r = CheckpointFormat.Rank(type);
            if ((count == 0) != (type == CheckpointRecordType.Header))
            {
                throw CheckpointErrors.Corrupt(where, count == 0 ? "the first record is not the Header" : "a second Header");
            }

            if (r < rank || (r == rank && !CheckpointFormat.Repeats(type)))
            {
                throw CheckpointErrors.Corrupt(where, $"out of order: a {type} record cannot follow the records before it");
            }

            foreach (var m in Mandatory)
            {
                if (CheckpointFormat.Rank(m) < r && !seen.Contains(m))
                {
                    throw CheckpointErrors.Corrupt(where, $"the {m} record is missing before it");
                }
            }

            rank = r;
            seen.Add(type);
            try
            {
                sink.Record(raw);
                var body = CheckpointBody.Decompress(raw.Body, where);
                var b = new BodyReader(body, where);
                switch (type)
                {
                    case CheckpointRecordType.Header:
                        sink.Header(HeaderRecord.Read(ref b), where);
                        break;
                    case CheckpointRecordType.Boot:
                        sink.Boot(BootRecord.Read(ref b), where);
                        break;
                    case CheckpointRecordType.Domains:
                        sink.Domains(DomainRecord.ReadAll(ref b), where);
                        break;
                    case CheckpointRecordType.Memory:
                        sink.Memory(MemoryRecord.Read(ref b), where);
                        break;
                    case CheckpointRecordType.FrameTable:
                        sink.FrameTable(FrameTableRecord.Read(ref b), where);
                        break;
                    case CheckpointRecordType.Heap:
                        sink.Heap(HeapRecord.Read(ref b), where);
                        break;
                    case CheckpointRecordType.Vmap:
                        sink.Vmap(VmapRecord.Read(ref b), where);
                        break;
                    case CheckpointRecordType.Frames:
                        sink.Frames(FramesRecord.Read(ref b), where);
                        break;
                    case CheckpointRecordType.Part:
                        sink.Part(NamedRecord.Read(ref b), where);
                        break;
                    case CheckpointRecordType.Attachment:
                        sink.Attachment(NamedRecord.Read(ref b), where);
                        break;
                    case CheckpointRecordType.End:
                        b.Array("end", 1);
                        var n = b.Int("record count", 0, int.MaxValue);
                        b.ExpectEnd();
                        if (n != count)
                        {
                            throw CheckpointErrors.Corrupt(where, $"the End record counts {n} records before it, the file has {count}");
                        }

                        return;
                }
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw BodyReader.Wrap(ex, where);
            }

            count++;
        }

        throw CheckpointErrors.Corrupt("the end of the file", "no End record");
    }

    // The records up to and including End, framed and checksummed; End must be last.
    public static List<RawRecord> ReadFrames(Stream stream, CancellationToken cancel = default)
    {
        var reader = new CheckpointReader(stream);
        reader.ReadPrefix();
        var records = new List<RawRecord>();
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            var raw = reader.Next() ?? throw CheckpointErrors.Corrupt($"file offset {reader.Offset}", $"the file ends after {records.Count} records without an End record (truncated)");
            records.Add(raw);
            if (raw.Type == (uint)CheckpointRecordType.End)
            {
                if (reader.HasMore())
                {
                    throw CheckpointErrors.Corrupt($"file offset {reader.Offset}", "data follows the End record");
                }

                return records;
            }
        }
    }
}

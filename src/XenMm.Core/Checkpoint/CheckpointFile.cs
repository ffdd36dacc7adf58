using System.Buffers.Binary;

namespace XenMm.Checkpoint;

// Frames records onto a stream, and reads them back one at a time with every length bounded before it is used.
internal static class CheckpointFile
{
    public static void Write(Stream stream, IReadOnlyList<(CheckpointRecordType Type, byte[] Body)> records, IProgress<double>? progress, CancellationToken cancel)
    {
        Span<byte> prefix = stackalloc byte[CheckpointFormat.PrefixSize];
        CheckpointFormat.WritePrefix(prefix, CheckpointFormat.Version);
        stream.Write(prefix);
        Span<byte> frame = stackalloc byte[CheckpointFormat.FrameSize];
        for (var i = 0; i < records.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var body = CheckpointBody.Compress(records[i].Body);
            WriteRecord(stream, frame, (uint)records[i].Type, body);
            progress?.Report((i + 1.0) / (records.Count + 1));
        }

        var end = MachineCapture.Body((ref MessagePack.MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.Write(records.Count);
        });
        WriteRecord(stream, frame, (uint)CheckpointRecordType.End, CheckpointBody.Compress(end));
        progress?.Report(1.0);
    }

    private static void WriteRecord(Stream stream, Span<byte> frame, uint type, byte[] body)
    {
        CheckpointFormat.WriteFrame(frame, type, body);
        stream.Write(frame);
        stream.Write(body);
    }
}

// One record as read: its type, its (compressed) body, and where it starts in the file.
internal readonly record struct RawRecord(int Index, uint Type, long Offset, ReadOnlyMemory<byte> Body)
{
    public string Where => $"record {Index} ({CheckpointFormat.Name(Type)}) at file offset {Offset}";
}

internal sealed class CheckpointReader(Stream stream)
{
    private const int Step = 1 << 20;
    private long _offset;
    private int _index;

    public uint Version { get; private set; }

    public long Offset => _offset;

    public void ReadPrefix()
    {
        Span<byte> prefix = stackalloc byte[CheckpointFormat.PrefixSize];
        var n = ReadUpTo(prefix);
        const string where = "file prefix at offset 0";
        if (n < prefix.Length && !prefix[..n].SequenceEqual(CheckpointFormat.Magic[..Math.Min(n, 8)]))
        {
            throw CheckpointErrors.Corrupt(where, "not a XenMm checkpoint (wrong magic)");
        }

        if (n < prefix.Length)
        {
            throw CheckpointErrors.Corrupt(where, $"the file ends after {n} bytes, inside the {prefix.Length}-byte prefix");
        }

        if (!prefix[..8].SequenceEqual(CheckpointFormat.Magic))
        {
            throw CheckpointErrors.Corrupt(where, "not a XenMm checkpoint (wrong magic)");
        }

        Span<byte> check = stackalloc byte[CheckpointFormat.PrefixSize];
        var version = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        CheckpointFormat.WritePrefix(check, version);
        if (!check.SequenceEqual(prefix))
        {
            throw CheckpointErrors.Corrupt(where, "the prefix checksum does not match");
        }

        if (version > CheckpointFormat.Version)
        {
            throw CheckpointErrors.Incompatible($"format version {version} is newer than this XenMm reads (up to {CheckpointFormat.Version}); written by a later XenMm");
        }

        if (version == 0)
        {
            throw CheckpointErrors.Corrupt(where, "format version 0 does not exist");
        }

        Version = version;
    }

    // The next record, or null at the end of the stream (exactly at a record boundary).
    public RawRecord? Next()
    {
        Span<byte> frame = stackalloc byte[CheckpointFormat.FrameSize];
        var offset = _offset;
        var index = _index;
        var n = ReadUpTo(frame);
        if (n == 0)
        {
            return null;
        }

        var where = $"record {index} at file offset {offset}";
        if (n < frame.Length)
        {
            throw CheckpointErrors.Corrupt(where, $"the file ends {n} bytes into the {frame.Length}-byte record frame");
        }

        var type = BinaryPrimitives.ReadUInt32LittleEndian(frame);
        var reserved = BinaryPrimitives.ReadUInt32LittleEndian(frame[4..]);
        var length = BinaryPrimitives.ReadUInt64LittleEndian(frame[8..]);
        var hash = BinaryPrimitives.ReadUInt64LittleEndian(frame[16..]);
        if (reserved != 0)
        {
            throw CheckpointErrors.Corrupt(where, $"reserved frame word is 0x{reserved:x}, not 0");
        }

        if (length > CheckpointFormat.MaxBodyBytes)
        {
            throw CheckpointErrors.Corrupt(where, $"declared body length {length} exceeds {CheckpointFormat.MaxBodyBytes}");
        }

        if (stream.CanSeek && (long)length > stream.Length - stream.Position)
        {
            throw CheckpointErrors.Corrupt(where, $"declared body length {length} runs past the end of the file ({stream.Length - stream.Position} bytes left)");
        }

        // Grow the buffer only as bytes arrive, so a lying length on a short stream costs nothing.
        var body = new byte[Math.Min((long)length, Step)];
        var got = 0L;
        while (got < (long)length)
        {
            if (got == body.Length)
            {
                Array.Resize(ref body, (int)Math.Min((long)length, (long)body.Length * 2));
            }

            var r = ReadUpTo(body.AsSpan((int)got, (int)(body.Length - got)));
            if (r == 0)
            {
                throw CheckpointErrors.Corrupt(where, $"the file ends {got} bytes into a {length}-byte body");
            }

            got += r;
        }

        if (CheckpointFormat.RecordHash(frame[..16], body) != hash)
        {
            throw CheckpointErrors.Corrupt(where, $"checksum mismatch in the {length}-byte {CheckpointFormat.Name(type)} record");
        }

        _index++;
        return new RawRecord(index, type, offset, body);
    }

    public bool HasMore()
    {
        Span<byte> one = stackalloc byte[1];
        var offset = _offset;
        var more = ReadUpTo(one) != 0;
        _offset = offset;
        return more;
    }

    private int ReadUpTo(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var r = stream.Read(buffer[total..]);
            if (r == 0)
            {
                break;
            }

            total += r;
        }

        _offset += total;
        return total;
    }
}

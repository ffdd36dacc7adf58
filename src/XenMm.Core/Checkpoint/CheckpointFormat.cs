using System.Buffers.Binary;
using System.IO.Hashing;

namespace XenMm.Checkpoint;

// The file's fixed parts (docs/checkpoint-format.md): a 16-byte prefix, then records each behind a 24-byte frame.
internal static class CheckpointFormat
{
    public const uint Version = 1;
    public const int PrefixSize = 16;
    public const int FrameSize = 24;
    public const uint OptionalBit = 0x8000_0000;

    // A record's body (compressed) is at most this long; a memory record holds one 2 MiB chunk, so only the heap and
    // frame-table records of very large, very fragmented machines come near it.
    public const long MaxBodyBytes = 1L << 30;

    public static ReadOnlySpan<byte> Magic => "XenMmCkp"u8;

    public static string WriterVersion { get; } = typeof(CheckpointFormat).Assembly.GetName().Version?.ToString() ?? "0";

    public static void WritePrefix(Span<byte> prefix, uint version)
    {
        Magic.CopyTo(prefix);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[8..], version);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[12..], (uint)XxHash3.HashToUInt64(prefix[..12]));
    }

    public static void WriteFrame(Span<byte> frame, uint type, ReadOnlySpan<byte> body)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(frame, type);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[4..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(frame[8..], (ulong)body.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(frame[16..], RecordHash(frame[..16], body));
    }

    public static ulong RecordHash(ReadOnlySpan<byte> frameStart, ReadOnlySpan<byte> body)
    {
        var h = new XxHash3();
        h.Append(frameStart);
        h.Append(body);
        return h.GetCurrentHashAsUInt64();
    }

    public static bool IsOptional(uint type) => (type & OptionalBit) != 0;

    public static bool IsKnown(uint type) => Enum.IsDefined((CheckpointRecordType)type);

    // Where each known type may appear: ranks never go down; Memory, Part and Attachment may repeat.
    public static int Rank(CheckpointRecordType type) => type switch
    {
        CheckpointRecordType.Header => 1,
        CheckpointRecordType.Boot => 2,
        CheckpointRecordType.Domains => 3,
        CheckpointRecordType.Memory => 4,
        CheckpointRecordType.FrameTable => 5,
        CheckpointRecordType.Heap => 6,
        CheckpointRecordType.Vmap => 7,
        CheckpointRecordType.Frames => 8,
        CheckpointRecordType.Part => 9,
        CheckpointRecordType.Attachment => 10,
        CheckpointRecordType.End => 11,
        _ => 10,
    };

    public static bool Repeats(CheckpointRecordType type) =>
        type is CheckpointRecordType.Memory or CheckpointRecordType.Part or CheckpointRecordType.Attachment;

    public static string Name(uint type) => IsKnown(type) ? ((CheckpointRecordType)type).ToString() : $"type 0x{type:x8}";
}

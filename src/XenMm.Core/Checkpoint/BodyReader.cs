using System.Runtime.InteropServices;
using MessagePack;

namespace XenMm.Checkpoint;

// Reads a record's decompressed body, bounding every count by the bytes left and naming the record and the byte
// offset in every error. MessagePack's own exceptions are turned into CorruptCheckpoint by Wrap.
internal ref struct BodyReader
{
    private readonly ReadOnlyMemory<byte> _body;
    private readonly string _record;
    private MessagePackReader _reader;

    public BodyReader(ReadOnlyMemory<byte> body, string record)
    {
        _body = body;
        _record = record;
        _reader = new MessagePackReader(body);
    }

    public readonly string Where => $"{_record} at body offset {_reader.Consumed}";

    public readonly long Remaining => _body.Length - _reader.Consumed;

    public readonly bool End => _reader.End;

    public readonly XenMmException Corrupt(string what) => CheckpointErrors.Corrupt(Where, what);

    public int Array(string what, int exact = -1)
    {
        var n = _reader.ReadArrayHeader();
        if (n > Remaining || (exact >= 0 && n != exact))
        {
            throw Corrupt($"{what}: {n} elements{(exact >= 0 ? $", expected {exact}" : $" in {Remaining} bytes")}");
        }

        return n;
    }

    public bool TryNil() => _reader.TryReadNil();

    public ulong U64() => _reader.ReadUInt64();

    public uint U32() => _reader.ReadUInt32();

    public int I32() => _reader.ReadInt32();

    public bool Bool() => _reader.ReadBoolean();

    public int Int(string what, int min, int max)
    {
        var v = _reader.ReadInt64();
        if (v < min || v > max)
        {
            throw Corrupt($"{what} {v} is outside {min}..{max}");
        }

        return (int)v;
    }

    public string Str(string what, int maxLength = 1 << 16)
    {
        var s = _reader.ReadString() ?? throw Corrupt($"{what} is nil");
        if (s.Length > maxLength)
        {
            throw Corrupt($"{what} is {s.Length} characters long");
        }

        return s;
    }

    public ReadOnlyMemory<byte> Bin(string what, long exactLength = -1)
    {
        var seq = _reader.ReadBytes() ?? throw Corrupt($"{what} is nil");
        if (exactLength >= 0 && seq.Length != exactLength)
        {
            throw Corrupt($"{what} is {seq.Length} bytes, expected {exactLength}");
        }

        // The body is one contiguous buffer: the bytes are the last seq.Length bytes read.
        var end = (int)_reader.Consumed;
        return _body.Slice(end - (int)seq.Length, (int)seq.Length);
    }

    public T[] Array<T>(string what, long exactCount = -1)
        where T : unmanaged
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var bytes = Bin(what);
        if (bytes.Length % size != 0 || (exactCount >= 0 && bytes.Length / size != exactCount))
        {
            throw Corrupt($"{what} is {bytes.Length} bytes, not {(exactCount >= 0 ? $"{exactCount} elements" : "whole elements")} of {size} bytes");
        }

        return MemoryMarshal.Cast<byte, T>(bytes.Span).ToArray();
    }

    public readonly void ExpectEnd()
    {
        if (!_reader.End)
        {
            throw Corrupt($"{Remaining} bytes follow the record's value");
        }
    }

    public static XenMmException Wrap(Exception ex, string record) =>
        ex as XenMmException is { Error: MmError.CorruptCheckpoint or MmError.IncompatibleCheckpoint } x
            ? x
            : CheckpointErrors.Corrupt(record, $"{ex.GetType().Name}: {ex.Message}");
}

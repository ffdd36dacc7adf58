using System.Buffers.Binary;
using System.Text;

namespace XenMm.Core.Tests.DeviceTree;

/// <summary>
/// Writes small version 17 blobs for tests, laid out as dtc lays them out (header, memory reservation block,
/// structure block, strings block), so single fields can then be damaged on purpose.
/// </summary>
internal sealed class FdtBuilder
{
    private readonly List<(ulong Address, ulong Size)> _reservations = [];
    private readonly List<byte> _struct = [];
    private readonly List<byte> _strings = [];
    private readonly Dictionary<string, int> _stringOffsets = [];

    public FdtBuilder Reserve(ulong address, ulong size)
    {
        _reservations.Add((address, size));
        return this;
    }

    public FdtBuilder Begin(string name)
    {
        U32(1);
        _struct.AddRange(Encoding.Latin1.GetBytes(name));
        _struct.Add(0);
        Pad();
        return this;
    }

    public FdtBuilder End()
    {
        U32(2);
        return this;
    }

    public FdtBuilder Nop()
    {
        U32(4);
        return this;
    }

    public FdtBuilder Prop(string name, byte[] value)
    {
        U32(3);
        U32((uint)value.Length);
        U32((uint)NameOffset(name));
        _struct.AddRange(value);
        Pad();
        return this;
    }

    public FdtBuilder Prop(string name, string value) => Prop(name, Encoding.Latin1.GetBytes(value + "\0"));

    public FdtBuilder Prop(string name, params string[] values) =>
        Prop(name, Encoding.Latin1.GetBytes(string.Concat(values.Select(v => v + "\0"))));

    public FdtBuilder Cells(string name, params uint[] cells)
    {
        var bytes = new byte[cells.Length * 4];
        for (int i = 0; i < cells.Length; i++)
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), cells[i]);
        return Prop(name, bytes);
    }

    /// <summary>The blob, with FDT_END appended and <paramref name="padding"/> spare bytes at the end.</summary>
    public byte[] Build(int padding = 0)
    {
        var structure = new List<byte>(_struct);
        structure.AddRange([0, 0, 0, 9]);
        int rsvmap = 40;
        int structOff = rsvmap + (_reservations.Count + 1) * 16;
        int stringsOff = structOff + structure.Count;
        int total = stringsOff + _strings.Count + padding;
        var blob = new byte[total];
        void Put(int at, uint value) => BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(at), value);
        Put(0, 0xD00DFEED);
        Put(4, (uint)total);
        Put(8, (uint)structOff);
        Put(12, (uint)stringsOff);
        Put(16, (uint)rsvmap);
        Put(20, 17);
        Put(24, 16);
        Put(28, 0);
        Put(32, (uint)_strings.Count);
        Put(36, (uint)structure.Count);
        for (int i = 0; i < _reservations.Count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(blob.AsSpan(rsvmap + i * 16), _reservations[i].Address);
            BinaryPrimitives.WriteUInt64BigEndian(blob.AsSpan(rsvmap + i * 16 + 8), _reservations[i].Size);
        }
        structure.CopyTo(blob, structOff);
        _strings.CopyTo(blob, stringsOff);
        return blob;
    }

    private int NameOffset(string name)
    {
        if (!_stringOffsets.TryGetValue(name, out int offset))
        {
            offset = _strings.Count;
            _strings.AddRange(Encoding.Latin1.GetBytes(name));
            _strings.Add(0);
            _stringOffsets[name] = offset;
        }
        return offset;
    }

    private void U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _struct.AddRange(b.ToArray());
    }

    private void Pad()
    {
        while (_struct.Count % 4 != 0)
            _struct.Add(0);
    }
}

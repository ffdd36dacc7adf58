using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using XenMm.Machine;

namespace XenMm.DeviceTree;

public sealed partial class FlattenedDeviceTree
{
    /// <summary>
    /// Parses and validates a blob. <paramref name="blob"/> may be longer than the tree (a memory area the blob was
    /// loaded into); only the header's <c>totalsize</c> bytes are read and kept.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidDeviceTree"/>, naming the byte offset and the fault: a bad magic, version, size,
    /// offset or alignment in the header; a block outside the blob; a memory reservation block without its
    /// terminating entry; a structure block with an unknown or truncated token, an unterminated name, a property
    /// outside a node or after a child node, unbalanced nodes or no <c>FDT_END</c>; a property name outside the
    /// strings block.
    /// </exception>
    public static FlattenedDeviceTree Parse(ReadOnlySpan<byte> blob)
    {
        var header = ReadHeader(blob);
        byte[] bytes = blob[..(int)header.TotalSize].ToArray();
        var reservations = ReadReservations(bytes, header.MemRsvmap);
        var (nodes, properties) = new StructureReader(bytes, header).Read();
        return new FlattenedDeviceTree(bytes, header.Version, header.LastCompVersion, header.BootCpuId,
            header.MemRsvmap, reservations, nodes, properties);
    }

    private readonly record struct Header(uint TotalSize, int Struct, int StructEnd, int Strings, int StringsEnd,
        int MemRsvmap, uint Version, uint LastCompVersion, uint BootCpuId);

    // libfdt: fdt_check_header, with the structure block's alignment and the v16 floor added (docs/device-tree.md).
    private static Header ReadHeader(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < FdtFormat.HeaderSizeV17)
            throw DeviceTreeError.At(blob.Length, $"the blob is {blob.Length} bytes, shorter than the {FdtFormat.HeaderSizeV17}-byte header");
        byte[] header = blob[..FdtFormat.HeaderSizeV17].ToArray();
        uint Field(int offset) => BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(offset, 4));

        uint magic = Field(0);
        if (magic != FdtFormat.Magic)
            throw DeviceTreeError.At(0, $"magic is 0x{magic:X8}, not 0x{FdtFormat.Magic:X8}");

        uint version = Field(FdtFormat.OffVersion), lastComp = Field(FdtFormat.OffLastCompVersion);
        if (version < FdtFormat.OldestReadVersion)
            throw DeviceTreeError.At(FdtFormat.OffVersion, $"version {version} is older than {FdtFormat.OldestReadVersion}, the oldest layout read");
        if (lastComp > FdtFormat.LastSupportedVersion)
            throw DeviceTreeError.At(FdtFormat.OffLastCompVersion, $"last_comp_version {lastComp} is newer than {FdtFormat.LastSupportedVersion}");
        if (version < lastComp)
            throw DeviceTreeError.At(FdtFormat.OffVersion, $"version {version} is below last_comp_version {lastComp}");
        uint headerSize = version >= 17 ? (uint)FdtFormat.HeaderSizeV17 : FdtFormat.HeaderSizeV16;

        uint totalSize = Field(FdtFormat.OffTotalSize);
        if (totalSize < headerSize)
            throw DeviceTreeError.At(FdtFormat.OffTotalSize, $"totalsize {totalSize} is smaller than the {headerSize}-byte header");
        if (totalSize > int.MaxValue)
            throw DeviceTreeError.At(FdtFormat.OffTotalSize, $"totalsize 0x{totalSize:X} is above INT_MAX");
        if (totalSize > blob.Length)
            throw DeviceTreeError.At(FdtFormat.OffTotalSize, $"totalsize {totalSize} is larger than the {blob.Length}-byte blob");

        uint rsvmap = Field(FdtFormat.OffMemRsvmap);
        if (rsvmap < headerSize || rsvmap > totalSize)
            throw DeviceTreeError.At(FdtFormat.OffMemRsvmap, $"off_mem_rsvmap 0x{rsvmap:X} is outside [0x{headerSize:X}, totalsize 0x{totalSize:X}]");
        if (rsvmap % 8 != 0)
            throw DeviceTreeError.At(FdtFormat.OffMemRsvmap, $"off_mem_rsvmap 0x{rsvmap:X} is not 8-byte aligned");

        uint structOff = Field(FdtFormat.OffDtStruct);
        uint structSize = version >= 17 ? Field(FdtFormat.OffSizeDtStruct) : totalSize - Math.Min(structOff, totalSize);
        CheckBlock("structure block", FdtFormat.OffDtStruct, structOff, structSize, headerSize, totalSize);
        if (structOff % 4 != 0)
            throw DeviceTreeError.At(FdtFormat.OffDtStruct, $"off_dt_struct 0x{structOff:X} is not 4-byte aligned");

        uint stringsOff = Field(FdtFormat.OffDtStrings), stringsSize = Field(FdtFormat.OffSizeDtStrings);
        CheckBlock("strings block", FdtFormat.OffDtStrings, stringsOff, stringsSize, headerSize, totalSize);

        return new Header(totalSize, (int)structOff, (int)(structOff + structSize), (int)stringsOff,
            (int)(stringsOff + stringsSize), (int)rsvmap, version, lastComp, Field(FdtFormat.OffBootCpuidPhys));
    }

    // libfdt: check_block_, a block [base, base + size) inside [header, totalsize] without wrapping.
    private static void CheckBlock(string block, int field, uint offset, uint size, uint headerSize, uint totalSize)
    {
        ulong end = (ulong)offset + size;
        if (offset < headerSize || end > totalSize)
            throw DeviceTreeError.At(field, $"{block} [0x{offset:X}, 0x{end:X}) is outside [0x{headerSize:X}, totalsize 0x{totalSize:X}]");
    }

    // libfdt: fdt_num_mem_rsv; the block ends at the first entry whose size is 0.
    private static MemoryRegion[] ReadReservations(byte[] blob, int start)
    {
        var entries = new List<MemoryRegion>();
        for (int offset = start; ; offset += FdtFormat.MemReserveEntrySize)
        {
            if (blob.Length - offset < FdtFormat.MemReserveEntrySize)
                throw DeviceTreeError.At(offset, "the memory reservation block has no terminating entry (size 0) before totalsize");
            ulong address = BinaryPrimitives.ReadUInt64BigEndian(blob.AsSpan(offset));
            ulong size = BinaryPrimitives.ReadUInt64BigEndian(blob.AsSpan(offset + 8));
            if (size == 0)
                return [.. entries];
            entries.Add(new MemoryRegion(new PhysAddr(address), size));
        }
    }

    private sealed class StructureReader(byte[] blob, Header header)
    {
        private readonly List<NodeEntry> _nodes = [];
        private readonly List<PropertyEntry> _properties = [];
        private readonly Dictionary<int, string> _names = [];
        private readonly List<int> _open = [];

        public (NodeEntry[] Nodes, PropertyEntry[] Properties) Read()
        {
            int pos = header.Struct;
            if (Token(pos) != FdtFormat.BeginNode)
                throw DeviceTreeError.At(pos, $"the structure block starts with token 0x{Token(pos):X}, not FDT_BEGIN_NODE");
            bool rootClosed = false;
            while (true)
            {
                // Every case moves pos forward by at least 4 bytes and the block is finite: the loop ends.
                uint token = Token(pos);
                switch (token)
                {
                    case FdtFormat.BeginNode:
                        if (rootClosed)
                            throw DeviceTreeError.At(pos, "a second root node follows the first");
                        pos = BeginNode(pos);
                        break;
                    case FdtFormat.Prop:
                        pos = Property(pos);
                        break;
                    case FdtFormat.EndNode:
                        if (_open.Count == 0)
                            throw DeviceTreeError.At(pos, "FDT_END_NODE closes no open node");
                        int closed = _open[^1];
                        _open.RemoveAt(_open.Count - 1);
                        CollectionsMarshal.AsSpan(_nodes)[closed].SubtreeEnd = _nodes.Count;
                        rootClosed = _open.Count == 0;
                        pos += 4;
                        break;
                    case FdtFormat.Nop:
                        pos += 4;
                        break;
                    case FdtFormat.End:
                        if (!rootClosed)
                            throw DeviceTreeError.At(pos, $"FDT_END with {_open.Count} node(s) still open");
                        return ([.. _nodes], [.. _properties]);
                    default:
                        throw DeviceTreeError.At(pos, $"unknown structure token 0x{token:X8}");
                }
            }
        }

        private uint Token(int pos)
        {
            if (header.StructEnd - pos < 4)
                throw DeviceTreeError.At(pos, $"the structure block ends at 0x{header.StructEnd:X} without FDT_END");
            return BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(pos));
        }

        private int BeginNode(int pos)
        {
            int nameStart = pos + 4;
            int length = blob.AsSpan(nameStart, header.StructEnd - nameStart).IndexOf((byte)0);
            if (length < 0)
                throw DeviceTreeError.At(nameStart, "a node name runs past the end of the structure block");
            if (_open.Count > 0)
                CollectionsMarshal.AsSpan(_nodes)[_open[^1]].HasChildren = true;
            _nodes.Add(new NodeEntry
            {
                Offset = pos,
                Name = Encoding.Latin1.GetString(blob, nameStart, length),
                Depth = _open.Count,
                Parent = _open.Count > 0 ? _open[^1] : -1,
                FirstProperty = _properties.Count,
            });
            _open.Add(_nodes.Count - 1);
            return FdtFormat.Align4(nameStart + length + 1);
        }

        private int Property(int pos)
        {
            if (_open.Count == 0)
                throw DeviceTreeError.At(pos, "a property lies outside any node");
            ref var node = ref CollectionsMarshal.AsSpan(_nodes)[_open[^1]];
            if (node.HasChildren)
                throw DeviceTreeError.At(pos, $"a property follows a child node of '{node.Name}'");
            if (header.StructEnd - pos < 12)
                throw DeviceTreeError.At(pos, "a property header runs past the end of the structure block");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(pos + 4));
            uint nameOffset = BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(pos + 8));
            int value = pos + 12;
            if (length > (uint)(header.StructEnd - value))
                throw DeviceTreeError.At(pos + 4, $"property length {length} runs past the end of the structure block");
            _properties.Add(new PropertyEntry(pos, PropertyName(pos + 8, nameOffset), value, (int)length));
            node.PropertyCount++;
            return FdtFormat.Align4(value + (int)length);
        }

        // libfdt: fdt_get_string; the name must start and end (NUL) inside the strings block.
        private string PropertyName(int field, uint nameOffset)
        {
            int size = header.StringsEnd - header.Strings;
            if (nameOffset >= (uint)size)
                throw DeviceTreeError.At(field, $"property name offset 0x{nameOffset:X} is outside the {size}-byte strings block");
            int start = header.Strings + (int)nameOffset;
            if (_names.TryGetValue(start, out var cached))
                return cached;
            int length = blob.AsSpan(start, header.StringsEnd - start).IndexOf((byte)0);
            if (length < 0)
                throw DeviceTreeError.At(start, "a property name runs past the end of the strings block");
            return _names[start] = Encoding.Latin1.GetString(blob, start, length);
        }
    }
}

using System.Buffers.Binary;
using System.Text;
using XenMm.Machine;

namespace XenMm.DeviceTree;

/// <summary>
/// A validated, read-only flattened device tree blob (devicetree specification v0.4, chapter 5: header, memory
/// reservation block, structure block, strings block). <see cref="Parse"/> checks every header field, offset,
/// length and token before anything is read, so a damaged blob is refused whole with
/// <see cref="MmError.InvalidDeviceTree"/> instead of being half read the way libfdt's lazy walk would.
/// </summary>
/// <remarks>
/// Names and string values are decoded as Latin-1, so every byte maps to one character and comparisons are
/// byte-exact as in C. The parser never recurses; memory use is linear in <see cref="TotalSize"/>.
/// </remarks>
public sealed partial class FlattenedDeviceTree
{
    private readonly byte[] _blob;
    private readonly NodeEntry[] _nodes;
    private readonly PropertyEntry[] _properties;

    private FlattenedDeviceTree(byte[] blob, uint version, uint lastCompatibleVersion, uint bootCpuId,
        int memReserveOffset, MemoryRegion[] reservations, NodeEntry[] nodes, PropertyEntry[] properties)
    {
        MemReserveOffset = memReserveOffset;
        _blob = blob;
        Version = version;
        LastCompatibleVersion = lastCompatibleVersion;
        BootCpuId = bootCpuId;
        MemoryReservations = reservations;
        _nodes = nodes;
        _properties = properties;
    }

    /// <summary>The blob's size as its header says (<c>fdt_totalsize</c>); the bytes after it are not part of the tree.</summary>
    public uint TotalSize => (uint)_blob.Length;

    /// <summary>The header's <c>version</c> field.</summary>
    public uint Version { get; }

    /// <summary>The header's <c>last_comp_version</c> field.</summary>
    public uint LastCompatibleVersion { get; }

    /// <summary>The header's <c>boot_cpuid_phys</c> field.</summary>
    public uint BootCpuId { get; }

    /// <summary>The memory reservation block (<c>/memreserve/</c>), in blob order, up to the entry whose size is 0.</summary>
    public IReadOnlyList<MemoryRegion> MemoryReservations { get; }

    /// <summary>The number of nodes, the root included.</summary>
    public int NodeCount => _nodes.Length;

    /// <summary>The root node.</summary>
    public DeviceTreeNode Root => new(this, 0);

    /// <summary>Every node in blob order (depth first, parents before children).</summary>
    public IEnumerable<DeviceTreeNode> Nodes
    {
        get
        {
            for (int i = 0; i < _nodes.Length; i++)
                yield return new DeviceTreeNode(this, i);
        }
    }

    /// <summary>The blob's bytes, <see cref="TotalSize"/> of them.</summary>
    public ReadOnlySpan<byte> Blob => _blob;

    /// <summary>The node at <paramref name="index"/> in blob order.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> when the index is out of range.</exception>
    public DeviceTreeNode GetNode(int index) =>
        (uint)index < (uint)_nodes.Length
            ? new DeviceTreeNode(this, index)
            : throw new XenMmException(MmError.InvalidArgument, $"Node index {index} is outside [0, {_nodes.Length}).");

    /// <summary>The byte offset of the memory reservation block.</summary>
    internal int MemReserveOffset { get; }

    internal ref readonly NodeEntry NodeAt(int index) => ref _nodes[index];

    internal ref readonly PropertyEntry PropertyAt(int index) => ref _properties[index];

    /// <summary>
    /// The length of the C string at <paramref name="offset"/>: up to its NUL, or to the end of the blob when there is
    /// none. Xen reads property values with strcmp/strlen, which run past the property's own length; this does the
    /// same, but never past the blob.
    /// </summary>
    internal int CStringLength(int offset)
    {
        int n = _blob.AsSpan(offset).IndexOf((byte)0);
        return n < 0 ? _blob.Length - offset : n;
    }

    internal string CStringAt(int offset) => Encoding.Latin1.GetString(_blob, offset, CStringLength(offset));

    internal uint ReadU32(int offset) => BinaryPrimitives.ReadUInt32BigEndian(_blob.AsSpan(offset, 4));

    internal ulong ReadU64(int offset) => BinaryPrimitives.ReadUInt64BigEndian(_blob.AsSpan(offset, 8));

    internal struct NodeEntry
    {
        public int Offset;
        public string Name;
        public int Depth;
        public int Parent;
        public int FirstProperty;
        public int PropertyCount;
        public int SubtreeEnd;
        public bool HasChildren;
    }

    internal readonly record struct PropertyEntry(int Offset, string Name, int ValueOffset, int Length);
}

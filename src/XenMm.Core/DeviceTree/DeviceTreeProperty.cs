using System.Text;

namespace XenMm.DeviceTree;

/// <summary>One property of a <see cref="DeviceTreeNode"/>: its name and its value bytes.</summary>
public readonly struct DeviceTreeProperty
{
    internal DeviceTreeProperty(FlattenedDeviceTree tree, int index)
    {
        Tree = tree;
        Index = index;
    }

    /// <summary>The tree the property belongs to.</summary>
    public FlattenedDeviceTree Tree { get; }

    internal int Index { get; }

    private ref readonly FlattenedDeviceTree.PropertyEntry Entry => ref Tree.PropertyAt(Index);

    /// <summary>The property name, from the strings block.</summary>
    public string Name => Entry.Name;

    /// <summary>The byte offset of the property's <c>FDT_PROP</c> token in the blob.</summary>
    public int Offset => Entry.Offset;

    /// <summary>The byte offset of the value in the blob.</summary>
    public int ValueOffset => Entry.ValueOffset;

    /// <summary>The value's length in bytes.</summary>
    public int Length => Entry.Length;

    /// <summary>The value bytes.</summary>
    public ReadOnlySpan<byte> Value => Tree.Blob.Slice(Entry.ValueOffset, Entry.Length);

    /// <summary>The value up to its first NUL (or all of it), as Latin-1 text.</summary>
    public string AsString()
    {
        var value = Value;
        int nul = value.IndexOf((byte)0);
        return Encoding.Latin1.GetString(nul < 0 ? value : value[..nul]);
    }

    /// <inheritdoc />
    public override string ToString() => Tree is null ? "(none)" : $"{Name} ({Length} bytes) @0x{Offset:X}";
}

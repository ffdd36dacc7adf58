using System.Text;

namespace XenMm.DeviceTree;

/// <summary>One node of a <see cref="FlattenedDeviceTree"/>: a light handle (the tree and the node's index).</summary>
public readonly struct DeviceTreeNode : IEquatable<DeviceTreeNode>
{
    internal DeviceTreeNode(FlattenedDeviceTree tree, int index)
    {
        Tree = tree;
        Index = index;
    }

    /// <summary>The tree the node belongs to.</summary>
    public FlattenedDeviceTree Tree { get; }

    /// <summary>The node's position in blob order (the root is 0).</summary>
    public int Index { get; }

    private ref readonly FlattenedDeviceTree.NodeEntry Entry => ref Tree.NodeAt(Index);

    /// <summary>The node name with its unit address (<c>memory@40000000</c>); empty for the root.</summary>
    public string Name => Entry.Name;

    /// <summary>0 for the root, 1 for its children, and so on.</summary>
    public int Depth => Entry.Depth;

    /// <summary>The byte offset of the node's <c>FDT_BEGIN_NODE</c> token in the blob.</summary>
    public int Offset => Entry.Offset;

    /// <summary>True for the root node.</summary>
    public bool IsRoot => Index == 0;

    /// <summary>The parent node; the root has none.</summary>
    public DeviceTreeNode? Parent => Entry.Parent < 0 ? null : new DeviceTreeNode(Tree, Entry.Parent);

    /// <summary>The node's children in blob order.</summary>
    public IEnumerable<DeviceTreeNode> Children
    {
        get
        {
            var tree = Tree;
            int end = Entry.SubtreeEnd;
            for (int i = Index + 1; i < end; i = tree.NodeAt(i).SubtreeEnd)
                yield return new DeviceTreeNode(tree, i);
        }
    }

    /// <summary>The node's properties in blob order.</summary>
    public IEnumerable<DeviceTreeProperty> Properties
    {
        get
        {
            var tree = Tree;
            int first = Entry.FirstProperty, count = Entry.PropertyCount;
            for (int i = 0; i < count; i++)
                yield return new DeviceTreeProperty(tree, first + i);
        }
    }

    /// <summary>The full path (<c>/chosen/module@42000000</c>; <c>/</c> for the root).</summary>
    public string Path
    {
        get
        {
            if (IsRoot)
                return "/";
            var parts = new List<string>();
            for (DeviceTreeNode? n = this; n is { IsRoot: false } node; n = node.Parent)
                parts.Add(node.Name);
            parts.Reverse();
            var sb = new StringBuilder();
            foreach (var part in parts)
                sb.Append('/').Append(part);
            return sb.ToString();
        }
    }

    /// <summary>
    /// Finds the first property named <paramref name="name"/> (exact, case-sensitive, as libfdt's
    /// <c>fdt_get_property</c>).
    /// </summary>
    public bool TryGetProperty(string name, out DeviceTreeProperty property)
    {
        int first = Entry.FirstProperty, count = Entry.PropertyCount;
        for (int i = 0; i < count; i++)
        {
            if (Tree.PropertyAt(first + i).Name == name)
            {
                property = new DeviceTreeProperty(Tree, first + i);
                return true;
            }
        }
        property = default;
        return false;
    }

    /// <summary>True when the node has a property named <paramref name="name"/>.</summary>
    public bool HasProperty(string name) => TryGetProperty(name, out _);

    /// <inheritdoc />
    public bool Equals(DeviceTreeNode other) => ReferenceEquals(Tree, other.Tree) && Index == other.Index;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DeviceTreeNode other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Index;

    /// <summary>Equality of tree and index.</summary>
    public static bool operator ==(DeviceTreeNode left, DeviceTreeNode right) => left.Equals(right);

    /// <summary>Inequality of tree or index.</summary>
    public static bool operator !=(DeviceTreeNode left, DeviceTreeNode right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Tree is null ? "(none)" : $"{Path} @0x{Offset:X}";
}

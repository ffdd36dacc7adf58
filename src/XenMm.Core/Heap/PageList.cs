namespace XenMm.Heap;

// A heap(node, zone, order) list: head and tail frame-table indexes (NIL when empty).
internal struct PageList
{
    public const uint Nil = uint.MaxValue;

    public uint Head;
    public uint Tail;
}

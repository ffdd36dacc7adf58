using System.Runtime.InteropServices;

namespace XenMm.Frames;

// The fields the allocator touches on every operation (16 bytes, like the native model's entry). Only the
// head page of a free chunk is ever written here by the heap: Next/Prev link it on heap(node, zone, order).
[StructLayout(LayoutKind.Sequential)]
internal struct HotEntry
{
    public const byte FreeHeadFlag = 1;
    public const byte NeedTlbflushFlag = 2;

    public uint Next;
    public uint Prev;
    public uint FirstDirty;
    public byte Order;
    public byte Flags;
    public byte Node;
    public byte ScrubState;
}

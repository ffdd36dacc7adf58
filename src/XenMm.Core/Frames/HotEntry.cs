using System.Runtime.InteropServices;

namespace XenMm.Frames;

// The fields the allocator touches on every operation (16 bytes, like the native model's entry). Only the
// head page of a free chunk is ever written here by the heap: Next/Prev link it on heap(node, zone, order).
[StructLayout(LayoutKind.Sequential)]
internal struct HotEntry
{
    public const byte FreeHeadFlag = 1;
    public const byte NeedTlbflushFlag = 2;

    // Order | Flags << 8 | Node << 16 | ScrubState << 24: the last word of the entry, read at once by a merge.
    public const int TagOffset = 12;

    // The tag bits a merge compares: the order, FreeHeadFlag and the node (not NeedTlbflush nor the scrub state).
    public const uint MergeMask = 0x00FF_0000u | ((uint)FreeHeadFlag << 8) | 0xFFu;

    public uint Next;
    public uint Prev;
    public uint FirstDirty;
    public byte Order;
    public byte Flags;
    public byte Node;
    public byte ScrubState;

    // The tag of a free head of this order on this node: flags FreeHeadFlag, scrub state 0.
    public static uint FreeHeadTag(int order, int node) => (uint)order | ((uint)FreeHeadFlag << 8) | ((uint)node << 16);

    public static unsafe ref uint Tag(HotEntry* e) => ref *(uint*)((byte*)e + TagOffset);
}

using System.Runtime.CompilerServices;

namespace XenMm.Frames;

// One materialised run of FrameTable.BlockSize entries: hot entries inline, a bitmap of the free heads in the
// block (for exact double-free detection without touching every page), and lazily the cold entries and the
// per-page PGC_need_scrub bits.
internal sealed class FrameBlock
{
    public HotArray Hot;
    public FreeWords FreeHeads;
    public int FreeHeadCount;
    public ColdEntry[]? Cold;
    public ulong[]? Dirty;

    [InlineArray(FrameTable.BlockSize)]
    internal struct HotArray
    {
        private HotEntry _element;
    }

    [InlineArray(FrameTable.BlockSize / 64)]
    internal struct FreeWords
    {
        private ulong _element;
    }
}

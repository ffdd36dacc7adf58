using XenMm.Memory;

namespace XenMm.Tests.Shared;

/// <summary>A frame allocator over a fixed set of frames, lowest first, that takes frames back in any order.</summary>
internal sealed class ListFrameAllocator(Mfn first, ulong count) : IFrameAllocator
{
    private readonly SortedSet<ulong> _free = [.. Enumerable.Range(0, (int)count).Select(i => first.Value + (ulong)i)];

    public int Used => (int)count - _free.Count;

    public ulong Available => (ulong)_free.Count;

    public bool TryAllocate(out Mfn mfn)
    {
        if (_free.Count == 0)
        {
            mfn = Mfn.Invalid;
            return false;
        }

        mfn = new Mfn(_free.Min);
        _free.Remove(mfn.Value);
        return true;
    }

    public void Free(Mfn mfn)
    {
        if (mfn.Value - first.Value >= count || !_free.Add(mfn.Value))
        {
            throw new XenMmException(MmError.DoubleFree, $"MFN {mfn} is not allocated here.");
        }
    }
}

namespace XenMm.Memory;

/// <summary>
/// Frames handed out upward from a first frame, one after the other: the allocator of the native page-table
/// workloads (frames upward from PA 0x4000_0000) and of early boot. Frames can be given back only in reverse
/// order (the newest first), which is all a rolled-back update needs.
/// </summary>
/// <remarks>The allocator does not zero frames; whoever takes a table or bitmap page clears it, as Xen does.</remarks>
public sealed class BumpFrameAllocator : IFrameAllocator
{
    private ulong _next;

    /// <summary>Creates an allocator of <paramref name="count"/> frames from <paramref name="first"/>.</summary>
    public BumpFrameAllocator(Mfn first, ulong count)
    {
        if (count == 0 || first.Value > ulong.MaxValue - count)
        {
            throw new XenMmException(MmError.InvalidArgument, $"A bump allocator of {count} frames from {first} is empty or wraps.");
        }

        First = first;
        Count = count;
        _next = first.Value;
    }

    /// <summary>The first frame handed out.</summary>
    public Mfn First { get; }

    /// <summary>How many frames the allocator may hand out.</summary>
    public ulong Count { get; }

    /// <summary>The number of frames currently handed out.</summary>
    public ulong Used => _next - First.Value;

    /// <summary>The frame the next allocation returns.</summary>
    public Mfn Next => new(_next);

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] // a table walk's guarded call: a call and a frame cost as much as the work
    public bool TryAllocate(out Mfn mfn)
    {
        if (_next - First.Value >= Count)
        {
            mfn = Mfn.Invalid;
            return false;
        }

        mfn = new Mfn(_next++);
        return true;
    }

    /// <inheritdoc />
    public ulong Available => Count - Used;

    /// <inheritdoc />
    public void Free(Mfn mfn)
    {
        if (_next == First.Value || mfn.Value != _next - 1)
        {
            throw new XenMmException(MmError.NotAllocated, $"MFN {mfn} is not the newest frame of this bump allocator (next is {Next}).");
        }

        _next--;
    }

    /// <summary>Takes every frame back: the next allocation returns <see cref="First"/> again.</summary>
    public void Reset() => _next = First.Value;
}

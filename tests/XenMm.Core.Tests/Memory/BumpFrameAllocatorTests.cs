using XenMm.Memory;

namespace XenMm.Core.Tests.Memory;

public class BumpFrameAllocatorTests
{
    [Fact]
    public void Hands_out_frames_upward_and_takes_back_only_the_newest()
    {
        var bump = new BumpFrameAllocator(new Mfn(0x40000), 2);
        Assert.True(bump.TryAllocate(out var a));
        Assert.True(bump.TryAllocate(out var b));
        Assert.False(bump.TryAllocate(out _));
        Assert.Equal((new Mfn(0x40000), new Mfn(0x40001), 2UL), (a, b, bump.Used));
        Assert.Equal(MmError.NotAllocated, Assert.Throws<XenMmException>(() => bump.Free(a)).Error);
        bump.Free(b);
        Assert.Equal(new Mfn(0x40001), bump.Next);
        bump.Reset();
        Assert.Equal(0UL, bump.Used);
    }

    [Fact]
    public void An_empty_or_wrapping_range_is_refused()
    {
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => new BumpFrameAllocator(new Mfn(1), 0)).Error);
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => new BumpFrameAllocator(new Mfn(ulong.MaxValue), 2)).Error);
    }
}

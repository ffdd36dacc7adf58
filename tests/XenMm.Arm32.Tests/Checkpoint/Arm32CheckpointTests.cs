using XenMm.Arm32.Machine;
using XenMm.Arm32.Tests.Machine;
using XenMm.Workloads;

namespace XenMm.Arm32.Tests.Checkpoint;

/// <summary>
/// Checkpoints of arm32 machines: the split heap model's live xenheap allocations and the map_domain_page slots'
/// counters travel in parts' records; a restored machine continues the domains workload exactly.
/// </summary>
public sealed class Arm32CheckpointTests
{
    [Theory]
    [InlineData(XenProfile.Current, 1)]
    [InlineData(XenProfile.Current, 2)]
    [InlineData(XenProfile.Xen2013, 3)]
    public void A_restored_arm32_machine_continues_the_domains_workload_exactly(XenProfile profile, ulong seed)
    {
        var options = Arm32TestBoards.Example1(profile);
        options.Cpus = 2;
        var original = Arm32TestBoards.Boot(options);
        var work = new DomainsWorkload(seed, 3, 1UL << 12);
        work.Run(original, 3000);

        var file = Save(original);
        var restored = XenMachine.RestoreCheckpoint(new MemoryStream(file), new Arm32Architecture());
        Assert.Equal(file, Save(restored));
        Assert.Equal(original.StateHash(), restored.StateHash());
        Assert.Equal(original.HeapModel.XenheapAllocations, restored.HeapModel.XenheapAllocations);

        var twin = DomainsWorkload.FromState(work.GetState());
        work.Run(original, 2000);
        twin.Run(restored, 2000);
        Assert.Equal(work.ResultHash, twin.ResultHash);
        Assert.Equal(original.StateHash(), restored.StateHash());
        Assert.Equal(Save(original), Save(restored));
        Assert.Empty(restored.Audit());
    }

    [Fact]
    public void An_arm32_checkpoint_on_another_architecture_is_incompatible()
    {
        var m = Arm32TestBoards.Boot(Arm32TestBoards.Example1(XenProfile.Current));
        var ex = Assert.Throws<XenMmException>(() => XenMachine.RestoreCheckpoint(new MemoryStream(Save(m)), new Machine.RenamedArm32("arm64")));
        Assert.Equal(MmError.IncompatibleCheckpoint, ex.Error);
        Assert.Contains("architecture: file arm32, host arm64", ex.Message);
    }

    private static byte[] Save(XenMachine m)
    {
        using var s = new MemoryStream();
        m.SaveCheckpoint(s);
        return s.ToArray();
    }
}

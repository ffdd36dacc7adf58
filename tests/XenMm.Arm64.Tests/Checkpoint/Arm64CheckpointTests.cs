using XenMm.Arm64.Machine;
using XenMm.Arm64.Tests.Machine;
using XenMm.Machine;
using XenMm.Workloads;

namespace XenMm.Arm64.Tests.Checkpoint;

/// <summary>
/// Checkpoints of arm64 machines: the unified heap model's live xenheap allocations travel in a part's record, the
/// PGC_xen_heap flags in the frame table; a restored machine continues both workloads exactly.
/// </summary>
public sealed class Arm64CheckpointTests
{
    [Theory]
    [InlineData(XenProfile.Current, 1)]
    [InlineData(XenProfile.Xen2013, 2)]
    public void A_restored_arm64_machine_continues_the_domains_and_churn_workloads_exactly(XenProfile profile, ulong seed)
    {
        var options = Arm64Boards.Banks((0x4000_0000, 512UL << 20), (0x8000_0000, 256UL << 20));
        options.Profile = profile;
        options.Cpus = 2;
        var original = Arm64Boards.Boot(options);
        var domains = new DomainsWorkload(seed, 3, 1UL << 12);
        var churn = new ChurnWorkload(seed, 1UL << 15);
        domains.Run(original, 2000);
        churn.Run(original, 20_000);

        var file = Save(original);
        var restored = XenMachine.RestoreCheckpoint(new MemoryStream(file), new Arm64Architecture());
        Assert.Equal(file, Save(restored));
        Assert.Equal(original.StateHash(), restored.StateHash());
        Assert.Equal(original.HeapModel.XenheapAllocations, restored.HeapModel.XenheapAllocations);

        var domainsTwin = DomainsWorkload.FromState(domains.GetState());
        var churnTwin = ChurnWorkload.FromState(churn.GetState());
        domains.Run(original, 1500);
        churn.Run(original, 10_000);
        domainsTwin.Run(restored, 1500);
        churnTwin.Run(restored, 10_000);
        Assert.Equal(domains.ResultHash, domainsTwin.ResultHash);
        Assert.Equal(churn.AllocHash, churnTwin.AllocHash);
        Assert.Equal(original.StateHash(), restored.StateHash());
        Assert.Equal(Save(original), Save(restored));
        Assert.Empty(restored.Audit());
    }

    [Fact]
    public void An_arm64_checkpoint_on_an_arm32_host_is_incompatible()
    {
        var m = Arm64Boards.Boot((0x4000_0000, 256UL << 20));
        var ex = Assert.Throws<XenMmException>(() => XenMachine.RestoreCheckpoint(new MemoryStream(Save(m)), new Renamed("arm32")));
        Assert.Equal(MmError.IncompatibleCheckpoint, ex.Error);
        Assert.Contains("architecture: file arm64, host arm32", ex.Message);
    }

    // arm64 under another name: what a checkpoint meets on a host of another architecture.
    private sealed class Renamed(string name) : IArchitecture
    {
        private readonly Arm64Architecture _inner = new();

        public string Name => name;

        public string PageTableFormat => _inner.PageTableFormat;

        public int BitsPerLong => _inner.BitsPerLong;

        public int PaddrBits => _inner.PaddrBits;

        public int PageInfoSize => _inner.PageInfoSize;

        public XenMm.Layout.IAddressSpaceLayout GetLayout(XenProfile profile) => _inner.GetLayout(profile);

        public XenMm.Heap.HeapConfig GetHeapConfig(XenProfile profile) => _inner.GetHeapConfig(profile);

        public MachineOptions DefaultBoard() => _inner.DefaultBoard();

        public BootModule DefaultXenImage(MachineOptions options) => _inner.DefaultXenImage(options);

        public void Boot(BootContext context) => _inner.Boot(context);
    }

    private static byte[] Save(XenMachine m)
    {
        using var s = new MemoryStream();
        m.SaveCheckpoint(s);
        return s.ToArray();
    }
}

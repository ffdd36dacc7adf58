using XenMm.Checkpoint;
using static XenMm.Tests.Checkpoint.CheckpointSurgery;

namespace XenMm.Tests.Checkpoint;

/// <summary>CheckpointDiff names what changed between two checkpoints of one machine.</summary>
public sealed class CheckpointDiffTests
{
    [Fact]
    public void Pages_heap_domains_and_mappings_that_changed_are_named()
    {
        var m = ToyOps.Boot();
        var before = Save(m);
        Assert.True(CheckpointDiff.Compare(new MemoryStream(before), new MemoryStream(before)).IsEmpty);

        m.Memory.WriteU64(new PhysAddr(0x8040_0000), 42);
        Assert.True(m.Domheap.TryAllocPages(m.Domains[0], 2, Heap.MemFlags.None, out _));
        Assert.True(m.Vmap.TryMalloc(8192, out _));
        var diff = CheckpointDiff.Compare(new MemoryStream(before), new MemoryStream(Save(m)));
        Assert.Contains(new Mfn(0x80400), diff.PagesChanged);
        Assert.Contains(diff.Heap, l => l.StartsWith("total_avail_pages", StringComparison.Ordinal));
        Assert.Contains(diff.Domains, l => l.StartsWith("d1: tot 0 -> 4", StringComparison.Ordinal));
        Assert.Contains(diff.Mappings, l => l.StartsWith("vmap region Default", StringComparison.Ordinal));
    }

    [Fact]
    public void Checkpoints_of_different_machines_are_incompatible()
    {
        var other = ToyOps.Board();
        other.Cpus = 3;
        var b = new XenMachine(other, new Machine.Toy.ToyArchitecture());
        b.Boot();
        var ex = Assert.Throws<XenMmException>(() => CheckpointDiff.Compare(new MemoryStream(Save(ToyOps.Boot())), new MemoryStream(Save(b))));
        Assert.Equal(MmError.IncompatibleCheckpoint, ex.Error);
    }
}

using CsCheck;
using XenMm.Checkpoint;
using XenMm.Tests.Machine.Toy;
using static XenMm.Tests.Checkpoint.CheckpointSurgery;

namespace XenMm.Tests.Checkpoint;

/// <summary>
/// The exactness promise: a machine checkpointed at any point and restored continues exactly as the original does,
/// results and final state (memory bytes included) alike; and save, restore, save gives the same bytes.
/// </summary>
public sealed class CheckpointExactnessTests
{
    [Fact]
    public void A_restored_machine_continues_exactly_like_the_original() =>
        Gen.Select(Gen.ULong, Gen.Int[0, 400], Gen.Int[1, 300]).Sample((seed, at, more) =>
        {
            var original = ToyOps.Boot();
            var ops = new ToyOps(original, seed);
            ops.Run(0, at);
            var file = Save(original);
            var restored = Restore(file);
            Assert.Equal(file, Save(restored));
            Assert.Equal(original.StateHash(), restored.StateHash());

            var twin = ops.CloneOnto(restored);
            var before = ops.Log.Count;
            ops.Run(at, at + more);
            twin.Run(at, at + more);
            Assert.Equal(ops.Log.Skip(before), twin.Log);
            Assert.Equal(original.StateHash(), restored.StateHash());
            Assert.Equal(Save(original), Save(restored));
            Assert.Equal(original.Heap.FullStateHash(), restored.Heap.FullStateHash());
            Assert.Equal(Image(original), Image(restored));
            Assert.Empty(restored.Audit());
        }, iter: 12);

    [Fact]
    public void Save_restore_save_is_byte_identical_for_a_fresh_machine()
    {
        var m = ToyOps.Boot();
        var file = Save(m);
        Assert.Equal(file, Save(Restore(file)));
    }

    [Fact]
    public void Attachments_come_back_by_name()
    {
        var m = ToyOps.Boot();
        var file = Save(m, new Dictionary<string, byte[]> { ["workload"] = [1, 2, 3], ["b"] = [] });
        var restored = XenMachine.RestoreCheckpointWithAttachments(new MemoryStream(file), new ToyArchitecture());
        Assert.Equal([1, 2, 3], restored.Attachments["workload"]);
        Assert.Empty(restored.Attachments["b"]);
    }

    [Fact]
    public async Task The_async_variants_report_progress_and_agree_with_the_sync_ones()
    {
        var m = ToyOps.Boot();
        new ToyOps(m, 7).Run(0, 200);
        var reports = new List<double>();
        using var s = new MemoryStream();
        await m.SaveCheckpointAsync(s, progress: new SyncProgress(reports.Add));
        Assert.Equal(Save(m), s.ToArray());
        Assert.Equal(1.0, reports[^1]);
        s.Position = 0;
        var restored = await XenMachine.RestoreCheckpointAsync(s, new ToyArchitecture());
        Assert.Equal(m.StateHash(), restored.Machine.StateHash());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => m.SaveCheckpointAsync(new MemoryStream(), cancellationToken: new CancellationToken(true)));
    }

    [Fact]
    public void The_state_hash_sees_one_changed_byte()
    {
        var m = ToyOps.Boot();
        var h = m.StateHash();
        m.Memory.WriteByte(new PhysAddr(0x8040_0001), 1);
        Assert.NotEqual(h, m.StateHash());
    }

    private static byte[] Image(XenMachine m)
    {
        using var s = new MemoryStream();
        foreach (var bank in m.Memory.Banks)
        {
            m.Memory.ExportImage(bank.Start, bank.Size, s);
        }

        return s.ToArray();
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}

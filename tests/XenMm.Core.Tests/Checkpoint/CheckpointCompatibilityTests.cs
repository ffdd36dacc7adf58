using XenMm.Checkpoint;
using XenMm.Tests.Machine.Toy;
using static XenMm.Tests.Checkpoint.CheckpointSurgery;

namespace XenMm.Tests.Checkpoint;

/// <summary>
/// Format version 1 as written when the format was introduced (Data/toy-v1.xmmckpt: the toy machine after 300 steps
/// of <see cref="ToyOps"/> with seed 42 and a "note" attachment). Every later XenMm must still restore it to the same
/// state; while the format is version 1, the writer must also reproduce it byte for byte.
/// </summary>
public sealed class CheckpointCompatibilityTests
{
    private const string Fixture = "Checkpoint/Data/toy-v1.xmmckpt";

    private static byte[] Write()
    {
        var m = ToyOps.Boot();
        new ToyOps(m, 42).Run(0, 300);
        return Save(m, new Dictionary<string, byte[]> { ["note"] = "version 1 fixture"u8.ToArray() });
    }

    [Fact]
    public void The_version_1_fixture_restores_to_the_state_it_was_written_from()
    {
        var file = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, Fixture));
        var restored = XenMachine.RestoreCheckpointWithAttachments(new MemoryStream(file), new ToyArchitecture());
        var m = ToyOps.Boot();
        new ToyOps(m, 42).Run(0, 300);
        Assert.Equal(m.StateHash(), restored.Machine.StateHash());
        Assert.Equal("version 1 fixture"u8.ToArray(), restored.Attachments["note"]);
        Assert.Equal(file, Write());
    }

    // Regenerates the fixture (run by hand with XENMM_WRITE_FIXTURES=1 when the format version changes; keep the old file).
    [Fact]
    public void Fixture_writer()
    {
        if (Environment.GetEnvironmentVariable("XENMM_WRITE_FIXTURES") is { } dir)
        {
            File.WriteAllBytes(Path.Combine(dir, "toy-v1.xmmckpt"), Write());
        }
    }
}

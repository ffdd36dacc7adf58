using XenMm.Cli.Machines;

namespace XenMm.Cli.Tests;

/// <summary>The tool's files are written whole or not at all: a failed write leaves the file it would replace.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xenmm-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_write_that_throws_halfway_leaves_the_old_file_and_no_temporary()
    {
        var file = Path.Combine(_dir, "m.ckpt");
        File.WriteAllBytes(file, [1, 2, 3]);

        var ex = Assert.Throws<IOException>(() => AtomicFile.Write(file, s =>
        {
            s.Write(new byte[4096]);
            throw new IOException("disk full");
        }));

        Assert.Equal("disk full", ex.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(file));
        Assert.Equal([file], Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_write_replaces_the_file_and_returns_its_length()
    {
        var file = Path.Combine(_dir, "m.ckpt");
        File.WriteAllBytes(file, new byte[100]);

        Assert.Equal(3, AtomicFile.Write(file, s => s.Write([7, 8, 9])));

        Assert.Equal([7, 8, 9], File.ReadAllBytes(file));
        Assert.Equal([file], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Resume_and_save_onto_the_same_checkpoint_continues_it()
    {
        var file = Path.Combine(_dir, "m.ckpt");
        var machine = new[] { "--arch", "arm64", "--ram", "0x80000000:256MiB" };
        var whole = Run(["run", "--workload", "churn", "--ops", "300", "--seed", "5", .. machine]);
        Run(["run", "--workload", "churn", "--ops", "100", "--seed", "5", "--save", file, .. machine]);

        Run(["run", "--resume", file, "--ops", "100", "--save", file]);
        var last = Run(["run", "--resume", file, "--ops", "100"]);

        Assert.Equal(whole[^1], last[^1]);
        Assert.Equal([file], Directory.GetFiles(_dir));
    }

    private static string[] Run(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.True(Program.Run(args, output, error) == 0, error.ToString());
        return output.ToString().TrimEnd().Split(Environment.NewLine);
    }
}

using XenMm.Cli;

namespace XenMm.Cli.Tests;

/// <summary>
/// <c>xenmm run</c> with <c>--save</c> and <c>--resume</c>, <c>inspect</c> and <c>diff</c>: N + M operations in one go
/// and N, save, resume M print the same state hash; a damaged file exits 2 with one line saying where.
/// </summary>
public sealed class RunCheckpointCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xenmm-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("churn", "arm32")]
    [InlineData("domains", "arm32")]
    [InlineData("churn", "arm64")]
    [InlineData("domains", "arm64")]
    public void Save_then_resume_gives_the_state_hash_of_one_long_run(string workload, string arch)
    {
        var machine = new[] { "--arch", arch, "--ram", "0x80000000:256MiB", "--cpus", "2" };
        var whole = Run(["run", "--workload", workload, "--ops", "5000", "--seed", "7", .. machine]);
        var file = Path.Combine(_dir, "half.ckpt");
        var first = Run(["run", "--workload", workload, "--ops", "3000", "--seed", "7", "--save", file, .. machine]);
        var resumed = Run(["run", "--resume", file, "--ops", "2000"]);
        Assert.StartsWith("state_hash 0x", whole[^1]);
        Assert.Equal(whole[^1], resumed[^1]);
        Assert.NotEqual(whole[^1], first[^1]);
        Assert.Equal(whole[^3], resumed[^3]);

        var inspect = Run(["inspect", file]);
        Assert.Contains(inspect, l => l == "(XEN) Domain heap initialised");
        Assert.Equal(first[^1], inspect[^1]);

        var later = Path.Combine(_dir, "later.ckpt");
        Run(["run", "--resume", file, "--ops", "10", "--save", later]);
        Assert.Equal("identical", Run(["diff", file, file], expect: 0)[^1]);
        Assert.Equal("different", Run(["diff", file, later], expect: 1)[^1]);
    }

    [Fact]
    public void A_damaged_checkpoint_exits_2_with_one_line_saying_where()
    {
        var file = Path.Combine(_dir, "x.ckpt");
        Run(["run", "--workload", "churn", "--ops", "100", "--arch", "arm32", "--ram", "0x80000000:256MiB", "--save", file]);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(file, bytes);
        foreach (var args in new[] { new[] { "run", "--resume", file }, ["inspect", file], ["diff", file, file] })
        {
            var error = new StringWriter();
            Assert.Equal(2, Program.Run(args, new StringWriter(), error));
            var lines = error.ToString().TrimEnd().Split(Environment.NewLine);
            Assert.Single(lines);
            Assert.Contains("CorruptCheckpoint", lines[0]);
            Assert.Contains("offset", lines[0]);
        }
    }

    private static string[] Run(string[] args, int expect = 0)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.True(expect == Program.Run(args, output, error), error.ToString());
        return output.ToString().TrimEnd().Split(Environment.NewLine);
    }
}

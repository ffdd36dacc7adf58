using XenMm.Cli;

namespace XenMm.Cli.Tests;

public class DemoCommandTests
{
    [Fact]
    public void Demo_runs_on_embedded_defaults()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, Program.Run(["demo"], output, error));
        Assert.Contains("XenMm", output.ToString());
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public void Demo_decodes_real_xen_descriptors_with_an_explanation_each()
    {
        var output = new StringWriter();
        Assert.Equal(0, Program.Run(["demo"], output, new StringWriter()));
        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Contains(lines, l => l.StartsWith("0x0040000080000F7D  Example 5 (a): a 2 MiB level-2 block", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("0x004000001C090E73  Example 5 (e):", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("0x00C000008F000F7D  Example 6:", StringComparison.Ordinal));
        Assert.Contains("  Valid=1 Table=0 Ai=MT_NORMAL(7) Ns=1 Up=1 Ro=0 Sh=Inner(3) Af=1 Ng=1 Base=0x8F000000 Contig=0 Pxn=0 Xn=1 Avail=1 Pxnt=0 Xnt=0 Apt=0 Nst=0 [raw 0x00C000008F000F7D]", lines);
        Assert.Contains("  level 1: table, level 2: table, level 3: page", lines);
    }

    [Fact]
    public void Unknown_command_exits_with_bad_input()
    {
        var error = new StringWriter();
        Assert.Equal(Program.BadInput, Program.Run(["no-such-command"], new StringWriter(), error));
        Assert.StartsWith("xenmm: ", error.ToString());
    }
}

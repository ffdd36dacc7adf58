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
    public void Unknown_command_exits_with_bad_input()
    {
        var error = new StringWriter();
        Assert.Equal(Program.BadInput, Program.Run(["no-such-command"], new StringWriter(), error));
        Assert.StartsWith("xenmm: ", error.ToString());
    }
}

using XenMm.Cli;

namespace XenMm.Cli.Tests;

/// <summary><c>xenmm boot --arch arm32</c>: real-xen.md's arm32 board with no other option, and a panic.</summary>
public class BootArm32CommandTests
{
    [Fact]
    public void Boot_arm32_with_no_other_option_prints_Xens_lines()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, Program.Run(["boot", "--arch", "arm32"], output, error));
        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Contains("(XEN) Xen heap: 000000007e000000-0000000080000000 (8192 pages)", lines);
        Assert.Contains("(XEN) Dom heap: 253952 pages", lines);
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public void Boot_arm32_without_room_for_a_xenheap_exits_1()
    {
        var error = new StringWriter();
        Assert.Equal(1, Program.Run(["boot", "--arch", "arm32", "--ram", "0x40000000:16MiB"], new StringWriter(), error));
        Assert.Contains("Not enough space for xenheap", error.ToString());
    }
}

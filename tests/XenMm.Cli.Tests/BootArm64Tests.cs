using XenMm.Cli;

namespace XenMm.Cli.Tests;

/// <summary><c>xenmm boot --arch arm64</c>: the default board is real-xen.md's, and a board beyond the frame table fails as Xen does.</summary>
public sealed class BootArm64Tests
{
    [Fact]
    public void Default_board_prints_real_xens_lines_and_boot_allocations()
    {
        var (code, output, error) = Run("boot", "--arch", "arm64");
        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.StartsWith("(XEN) RAM: 0000000040000000 - 000000007fffffff\n(XEN) MODULE[0]: 0000000040200000 - 0000000040372fff Xen", output.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("[0x7F000, 0x7FE00) 3584 pages, align 512: frame table", output, StringComparison.Ordinal);
        Assert.Contains("[0x7FE00, 0x7FFFB) 507 pages", output, StringComparison.Ordinal);
        Assert.Contains("Audit: clean", output, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = Program.Run(args, TextReader.Null, output, error);
        return (code, output.ToString(), error.ToString());
    }
}

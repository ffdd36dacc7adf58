using XenMm.Cli;

namespace XenMm.Cli.Tests;

/// <summary>
/// Machine options go through configuration's conversion (XenMmOptions.ToMachineOptionsNamedBy), named by option:
/// one line on standard error, exit 2; every bad option at once.
/// </summary>
public sealed class MachineOptionErrorTests
{
    [Theory]
    [InlineData("--ram 0x40000000:12apples", "InvalidArgument: --ram 0x40000000:12apples: '12apples' is not a number (decimal, 0x hex, or a size such as 512MiB).")]
    [InlineData("--ram 0x40000000:64MiB --ram 0x42000000:16MiB", "Overlap: --ram 0x42000000:16MiB [0x42000000, 0x43000000) overlaps --ram 0x40000000:64MiB [0x40000000, 0x44000000).")]
    [InlineData("--ram 0x40000000", "InvalidArgument: --ram 0x40000000: expected START:SIZE.")]
    [InlineData("--module initrd:0x41000000:1MiB", "InvalidArgument: --module initrd:0x41000000:1MiB: 'initrd' is not one of xen, dtb, kernel, ramdisk, xsm, other (or a BootModuleKind name).")]
    [InlineData("--module kernel:0x9000_0000:1MiB", "InvalidAddress: --module kernel:0x9000_0000:1MiB Kernel [0x90000000, 0x90100000): a boot module must lie inside one RAM bank.")]
    [InlineData("--dtb-at 0x48000000", "InvalidArgument: --dtb-at: given without --dtb.")]
    [InlineData("--profile 2014", "InvalidArgument: --profile: '2014' is neither current nor 2013.")]
    [InlineData("--cpus 0", "InvalidArgument: --cpus: 0 is outside 1..128.")]
    [InlineData("--ram zero:0 --profile 1999", "InvalidArgument: --ram zero:0: 'zero' is not a number (decimal, 0x hex, or a size such as 512MiB). --ram zero:0: 0; a region holds at least one byte. --profile: '1999' is neither current nor 2013.")]
    public void A_bad_option_exits_2_with_one_line_naming_it(string options, string message)
    {
        var error = new StringWriter();
        Assert.Equal(2, Program.Run(["boot", "--arch", "arm32", .. options.Split(' ')], new StringWriter(), error));
        Assert.Equal($"xenmm: {message}{Environment.NewLine}", error.ToString());
    }

    [Fact]
    public void Modules_replace_the_default_boards_and_the_board_keeps_its_ram()
    {
        var output = new StringWriter();
        Assert.Equal(0, Program.Run(["boot", "--arch", "arm64", "--module", "kernel:0x4100_0000:1MiB", "--json"], output, new StringWriter()));
        using var doc = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.Equal("0x40000000", doc.RootElement.GetProperty("banks")[0].GetProperty("start").GetString());
        var modules = doc.RootElement.GetProperty("modules").EnumerateArray().Select(m => $"{m.GetProperty("kind").GetString()} {m.GetProperty("start").GetString()}").ToList();
        Assert.Equal(["Xen 0x40200000", "Kernel 0x41000000"], modules); // Xen's image where the board's loader puts it
    }
}

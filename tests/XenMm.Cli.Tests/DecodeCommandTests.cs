using XenMm.Cli;

namespace XenMm.Cli.Tests;

public class DecodeCommandTests
{
    private static (int Code, string[] Lines, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Program.Run(args, output, error);
        return (code, output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), error.ToString());
    }

    [Fact]
    public void Lpae_example_5a_is_a_level2_block_of_normal_memory()
    {
        var (code, lines, error) = Run("decode", "--format", "lpae", "0x0040000080000F7D");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal(
            [
                "lpae: Xen lpae_pt_t, LPAE stage 1 (arm32 EL2)",
                "  Valid     bit 0       1",
                "  Table     bit 1       0",
                "  Ai        bits 4:2    7 (MT_NORMAL)",
                "  Ns        bit 5       1",
                "  Up        bit 6       1",
                "  Ro        bit 7       0",
                "  Sh        bits 9:8    3 (Inner)",
                "  Af        bit 10      1",
                "  Ng        bit 11      1",
                "  Base      bits 47:12  0x80000000",
                "  Contig    bit 52      0",
                "  Pxn       bit 53      0",
                "  Xn        bit 54      1",
                "  Avail     bits 58:55  0",
                "  Pxnt      bit 59      0",
                "  Xnt       bit 60      0",
                "  Apt       bits 62:61  0",
                "  Nst       bit 63      0",
                "  Reserved  bits 51:48  0",
                "kind: level 1: block, level 2: block, level 3: reserved",
                "raw: 0x0040000080000F7D",
            ],
            lines);
    }

    [Fact]
    public void Vmsa64_uses_arm_names_and_levels_0_to_3()
    {
        var (code, lines, _) = Run("decode", "--format", "vmsa64", "0x0040_0000_1C09_0E73");
        Assert.Equal(0, code);
        Assert.Contains("  AttrIndx       bits 4:2    4 (MT_DEVICE_nGnRE)", lines);
        Assert.Contains("  SH             bits 9:8    2 (Outer)", lines);
        Assert.Contains("  OutputAddress  bits 47:12  0x1C090000", lines);
        Assert.Equal("kind: level 0: table, level 1: table, level 2: table, level 3: page", lines[^2]);
        Assert.Equal("raw: 0x004000001C090E73", lines[^1]);
    }

    [Fact]
    public void Lpae_p2m_flags_set_reserved_bits()
    {
        var (code, lines, _) = Run("decode", "--format", "lpae-p2m", "0x800");
        Assert.Equal(0, code);
        Assert.Contains("  Reserved  bit 11      0x1 (should be zero)", lines);
        Assert.Equal("kind: level 1: invalid, level 2: invalid, level 3: invalid", lines[^2]);
    }

    [Fact]
    public void Vmsa64_s2_decodes_stage2_permissions()
    {
        var (code, lines, _) = Run("decode", "--format", "vmsa64-s2", "0x01C00008000007FF");
        Assert.Equal(0, code);
        Assert.Contains("  S2APWrite      bit 7       1", lines);
        Assert.Contains("  Software       bits 58:55  3", lines);
    }

    [Theory]
    [InlineData("0xZZ", "xenmm: '0xZZ' is not a hexadecimal descriptor (example: 0x0040000080000F7D).")]
    [InlineData("0x", "xenmm: '0x' is not a hexadecimal descriptor (example: 0x0040000080000F7D).")]
    [InlineData("0x1_0000_0000_0000_0000", "xenmm: '0x1_0000_0000_0000_0000' is wider than 64 bits; a descriptor has 64.")]
    public void Bad_numbers_exit_2_with_one_line(string raw, string message)
    {
        var (code, lines, error) = Run("decode", "--format", "lpae", raw);
        Assert.Equal(Program.BadInput, code);
        Assert.Empty(lines);
        Assert.Equal(message + Environment.NewLine, error);
    }

    [Fact]
    public void Unknown_format_exits_2_with_one_line()
    {
        var (code, _, error) = Run("decode", "--format", "x86", "0x1");
        Assert.Equal(Program.BadInput, code);
        Assert.Equal("xenmm: unknown format 'x86' (use lpae, lpae-p2m, vmsa64, vmsa64-s2)." + Environment.NewLine, error);
    }

    [Fact]
    public void Missing_format_exits_2()
    {
        var (code, _, error) = Run("decode", "0x1");
        Assert.Equal(Program.BadInput, code);
        Assert.StartsWith("xenmm: ", error);
        Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}

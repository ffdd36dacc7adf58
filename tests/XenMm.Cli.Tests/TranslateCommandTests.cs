using XenMm.Cli;

namespace XenMm.Cli.Tests;

/// <summary><c>xenmm translate FILE VA [r|w|x]...</c> on the demo's saved arm32 machine.</summary>
public sealed class TranslateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xenmm-tr-").FullName;

    public TranslateCommandTests() => Assert.Equal(0, Program.Run(["demo", "--save", _dir], new StringWriter(), new StringWriter()));

    private string Arm32 => Path.Combine(_dir, "arm32.ckpt");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Translates_through_cpu0_with_the_access_and_the_pages_use()
    {
        var (code, lines, error) = Run(null, "translate", Arm32, "0x40000000", "0x40001000", "w", "0x40000000", "x", "0x1000");
        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Equal(
            [
                "0x40000000 0x7E000000 attr=0xFF use=buffer",              // XENHEAP_VIRT_START maps the first buffer page
                "0x40001000 0x7E001000 attr=0xFF access=w use=xenheap",
                "0x40000000 FAULT level=2 type=permission access=x",       // the xenheap is XN
                "0x1000 FAULT level=2 type=translation",
            ],
            lines);
    }

    [Fact]
    public void Reads_requests_from_standard_input_and_writes_json()
    {
        var (code, lines, _) = Run(new StringReader("0x40001000 w\n"), "translate", Arm32, "--json", "--cpu", "1");
        Assert.Equal(0, code);
        var text = string.Join("\n", lines);
        Assert.Contains("\"va\": \"0x40001000\"", text);
        Assert.Contains("\"access\": \"w\"", text);
        Assert.Contains("\"pa\": \"0x7e001000\"", text);
        Assert.Contains("\"use\": \"xenheap\"", text);
    }

    [Theory]
    [InlineData("--cpu", "9", "--cpu 9: the machine has CPUs 0-1.")]
    [InlineData("0xZZ", "", "'0xZZ' is neither a hexadecimal virtual address")]
    public void Bad_input_exits_2_with_one_line(string a, string b, string message)
    {
        string[] args = b.Length == 0 ? ["translate", Arm32, a] : ["translate", Arm32, "0x1000", a, b];
        var (code, _, error) = Run(null, args);
        Assert.Equal(2, code);
        Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, error);
    }

    [Fact]
    public void A_missing_file_exits_2()
    {
        var (code, _, error) = Run(null, "translate", Path.Combine(_dir, "absent.ckpt"), "0x1000");
        Assert.Equal(2, code);
        Assert.StartsWith("xenmm: ", error);
    }

    private static (int Code, string[] Lines, string Error) Run(TextReader? input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Program.Run(args, input ?? new StringReader(string.Empty), output, error);
        return (code, output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), error.ToString());
    }
}

using Spectre.Console.Testing;
using XenMm.Cli;
using XenMm.Cli.Output;

namespace XenMm.Cli.Tests;

/// <summary>
/// Redirected output (a test's writer, a pipe) is plain: no ANSI escapes, no box drawing, no trailing spaces, and
/// --json is unchanged by the tables; on a terminal (Spectre's TestConsole) the same tables have rounded borders.
/// </summary>
public sealed class TerminalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xenmm-term-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Redirected_output_has_no_escapes_borders_or_trailing_spaces()
    {
        var ckpt = Path.Combine(_dir, "m.ckpt");
        foreach (var args in new[]
        {
            ["boot", "--arch", "arm32"],
            ["run", "--workload", "domains", "--ops", "3000", "--arch", "arm64", "--ram", "0x80000000:256MiB", "--save", ckpt],
            ["inspect", ckpt],
            ["heatmap", ckpt, "--out", Path.Combine(_dir, "m.svg")],
            new[] { "demo" },
        })
        {
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.Equal(0, Program.Run(args, output, error));
            Assert.Equal("", error.ToString());
            var text = output.ToString();
            Assert.DoesNotContain('\u001b', text);
            Assert.DoesNotContain(text, c => c is >= '\u2500' and <= '\u257f'); // box drawing
            // Xen's own lines keep its padding word for word ("MODULE[0]: ... Xen         ").
            Assert.All(text.Split(Environment.NewLine).Where(l => !l.TrimStart().StartsWith("(XEN) ", StringComparison.Ordinal)), l => Assert.Equal(l.TrimEnd(), l));
        }
    }

    [Fact]
    public void Json_is_one_document_with_no_table_in_it()
    {
        var output = new StringWriter();
        Assert.Equal(0, Program.Run(["boot", "--arch", "arm64", "--json"], output, new StringWriter()));
        using var doc = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.Equal("arm64", doc.RootElement.GetProperty("arch").GetString());
        Assert.StartsWith("{", output.ToString());
    }

    [Fact]
    public void On_a_terminal_the_heatmap_legend_is_a_rounded_table()
    {
        var console = new TestConsole().Interactive().Width(100);
        var error = new StringWriter();
        Assert.Equal(0, Program.Run(["heatmap", "--arch", "arm32", "--out", Path.Combine(_dir, "t.svg")], TextReader.Null, new Terminal(console, error)));
        Assert.Equal("", error.ToString());
        var lines = console.Output.Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Equal("wrote t.svg: arm32, PA [0x40000000, 0x80000000), 4096 cells of 256 KiB (64 a row)", lines[0]);
        Assert.Equal("  ╭────────────────────────────┬────────┬──────────────╮", lines[1]);
        Assert.Equal("  │ category                   │  pages │ marked       │", lines[2]);
        Assert.Equal("  │ free, order 9-17 (2M-512M) │ 249856 │              │", lines[7]);
        Assert.Equal("  │ buffer page                │      2 │ in 2 cell(s) │", lines[10]);
        Assert.Equal("  ╰────────────────────────────┴────────┴──────────────╯", lines[15]);
    }
}

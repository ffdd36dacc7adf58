using XenMm.Cli;

namespace XenMm.Cli.Tests;

/// <summary><c>xenmm heatmap</c>: physical memory as SVG cells coloured by census category, small categories marked.</summary>
public sealed class HeatmapCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xenmm-heat-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Default_arm32_machine_shows_the_xenheap_its_buffer_pages_and_free_memory()
    {
        var svg = Path.Combine(_dir, "heap.svg");
        var lines = Run(["heatmap", "--arch", "arm32", "--out", svg]);
        Assert.Equal("wrote heap.svg: arm32, PA [0x40000000, 0x80000000), 4096 cells of 256 KiB (64 a row)", lines[0]);
        Assert.Equal(
        [
            "  category                     pages  marked",
            "  free, order 0 (4K)               3  in 3 cell(s)",
            "  free, order 1-3 (8K-32K)        26  in 2 cell(s)",
            "  free, order 4-8 (64K-1M)      1424",
            "  free, order 9-17 (2M-512M)  249856",
            "  xenheap, free                 8187",
            "  xenheap, in use                  3  in 1 cell(s)",
            "  buffer page                      2  in 2 cell(s)",
            "  page table                       2  in 1 cell(s)",
            "  vmap                             1  in 1 cell(s)",
            "  frame table                   2048",
            "  module                         592",
        ], lines[1..]);

        var text = File.ReadAllText(svg);
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", text);
        Assert.Contains("fill=\"#31a354\"/>", text); // free, order 9-17 cells
        Assert.Contains("fill=\"#74c476\"/>", text); // free, order 4-8 cells
        Assert.Equal(3, text.Split('\n').Count(l => l.StartsWith("<circle class=\"mark\" data-category=\"free, order 0 (4K)\"", StringComparison.Ordinal)));
        Assert.Contains("fill=\"#b3e5fc\"/>", text); // xenheap, free cells
        Assert.Contains("fill=\"#0277bd\"", text);   // xenheap in use: a mark and the legend
        var buffers = text.Split('\n').Where(l => l.StartsWith("<circle class=\"mark\" data-category=\"buffer page\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, buffers.Count);
        Assert.Contains(buffers, l => l.Contains("<title>PA 0x7e000000: ", StringComparison.Ordinal));
        Assert.Contains(buffers, l => l.Contains("<title>PA 0x7ffc0000: ", StringComparison.Ordinal));
        Assert.Contains(">0x40000000</text>", text);  // the first row's PA label
        Assert.Contains(">buffer page (2)</text>", text);
    }

    [Fact]
    public void A_checkpoint_shows_each_domain_and_cell_sets_the_grid()
    {
        var file = Path.Combine(_dir, "m.ckpt");
        Run(["run", "--workload", "domains", "--ops", "500", "--arch", "arm64", "--ram", "0x80000000:256MiB", "--save", file]);
        var lines = Run(["heatmap", file, "--cell", "1MiB", "--out", Path.Combine(_dir, "m.svg")]);
        Assert.Equal("wrote m.svg: arm64, PA [0x80000000, 0x90000000), 256 cells of 1 MiB (64 a row)", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  domain d1  ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  domain d4  ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--out", "x.gif", "--out x.gif: '.gif' is neither .svg nor .png.")]
    [InlineData("--out", "x.svg", "give a checkpoint FILE or --arch")]
    [InlineData("--cell", "1000", "--cell: 1000 bytes is not a whole number of 4 KiB pages.")]
    public void Bad_usage_exits_2_with_one_line(string option, string value, string message)
    {
        string[] args = option == "--cell"
            ? ["heatmap", "--arch", "arm32", "--out", Path.Combine(_dir, "x.svg"), "--cell", value]
            : ["heatmap", option, Path.Combine(_dir, value), .. value == "x.gif" ? new[] { "--arch", "arm32" } : []];
        var error = new StringWriter();
        Assert.Equal(2, Program.Run(args, new StringWriter(), error));
        var lines = error.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Single(lines);
        Assert.StartsWith("xenmm: ", lines[0]);
        Assert.Contains(message, lines[0]);
    }

    [Fact]
    public void A_file_and_machine_options_together_exit_2()
    {
        var error = new StringWriter();
        Assert.Equal(2, Program.Run(["heatmap", Path.Combine(_dir, "none.ckpt"), "--arch", "arm32", "--out", Path.Combine(_dir, "x.svg")], new StringWriter(), error));
        Assert.Contains("not both", error.ToString());
    }

    private static string[] Run(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.True(0 == Program.Run(args, output, error), error.ToString());
        return output.ToString().TrimEnd().Split(Environment.NewLine);
    }
}

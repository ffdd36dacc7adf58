using System.Buffers.Binary;
using SkiaSharp;
using XenMm.Arm32.Machine;
using XenMm.Cli.Heatmap;
using XenMm.Machine;

namespace XenMm.Cli.Tests;

/// <summary><c>xenmm heatmap --out x.png</c>: the SVG's picture as a PNG through SkiaSharp, at twice its size.</summary>
public sealed class HeatPngTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xenmm-png-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_png_of_the_default_arm32_machine_has_the_svgs_size_doubled_and_each_cells_colour()
    {
        var file = Path.Combine(_dir, "heap.png");
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, Program.Run(["heatmap", "--arch", "arm32", "--out", file], output, error));
        Assert.Equal("", error.ToString());
        Assert.StartsWith("wrote heap.png: arm32, PA [0x40000000, 0x80000000), 4096 cells of 256 KiB (64 a row)", output.ToString());

        // The signature, then IHDR: 64 columns of 10 units + 110 left + 30 + 280 legend = 1060 wide; 64 rows of 10 + 50 top + 30 = 720 high; doubled.
        var bytes = File.ReadAllBytes(file);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(2120u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(1440u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20)));

        var m = new XenMachine(new Arm32Architecture().DefaultBoard(), new Arm32Architecture());
        m.Boot();
        var grid = HeatGrid.Of(m, null);
        using var bitmap = SKBitmap.Decode(bytes);
        foreach (var name in new[] { "frame table", "xenheap, free", "free, order 9-17 (2M-512M)", "free, order 4-8 (64K-1M)", "module" })
        {
            var index = grid.Cells.ToList().FindIndex(c => c.Fill?.Name == name && c.Marks.Count == 0);
            Assert.True(index >= 0, name);
            var (x, y) = HeatPicture.CellAt(index);
            var centre = bitmap.GetPixel((x + (HeatPicture.Cell / 2)) * HeatPng.Scale, (y + (HeatPicture.Cell / 2)) * HeatPng.Scale);
            Assert.Equal(SKColor.Parse(grid.Cells[index].Fill!.Colour), centre);
        }

        // A mark: the buffer page at PA 0x7e000000 is a red dot in its cell.
        var buffer = grid.Cells.ToList().FindIndex(c => c.StartMfn == 0x7E000);
        var (bx, by) = HeatPicture.CellAt(buffer);
        var dots = Enumerable.Range(0, HeatPicture.Cell * HeatPng.Scale).SelectMany(dx => Enumerable.Range(0, HeatPicture.Cell * HeatPng.Scale).Select(dy => bitmap.GetPixel((bx * HeatPng.Scale) + dx, (by * HeatPng.Scale) + dy)));
        Assert.Contains(SKColor.Parse("#e53935"), dots);
    }
}

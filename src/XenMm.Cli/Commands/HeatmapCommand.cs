using System.CommandLine;
using XenMm.Cli.Heatmap;
using XenMm.Cli.Machines;
using XenMm.Cli.Output;
using XenMm.Machine;

namespace XenMm.Cli.Commands;

/// <summary>
/// <c>xenmm heatmap FILE|--arch NAME [machine options] --out heap.svg|heap.png [--cell SIZE]</c>: a picture of physical
/// memory, one cell per page group, coloured by census category.
/// </summary>
internal static class HeatmapCommand
{
    /// <summary>Exit code when the picture cannot be drawn (SkiaSharp's native library would not load).</summary>
    public const int ImageFailed = 1;

    public static Command Create(Terminal terminal)
    {
        var error = terminal.Error;
        var machine = new MachineArguments(archRequired: false);
        var file = new Argument<FileInfo?>("FILE") { Description = "A checkpoint; or describe a machine to boot with --arch and the machine options.", Arity = ArgumentArity.ZeroOrOne };
        var outFile = new Option<FileInfo>("--out", "-o") { Description = "The picture to write: .svg or .png.", Required = true };
        var cell = new Option<string>("--cell") { Description = "Bytes per cell (a multiple of 4 KiB, e.g. 256KiB); default: a power of two giving about 4096 cells." };
        var command = new Command("heatmap", "Draw physical memory as an SVG or PNG heat map coloured by census category.") { file, outFile, cell };
        machine.AddTo(command);
        command.SetAction(parse => BootCommand.Run(error, () =>
        {
            var target = parse.GetValue(outFile)!;
            var png = target.Extension.Equals(".png", StringComparison.OrdinalIgnoreCase);
            if (!png && !target.Extension.Equals(".svg", StringComparison.OrdinalIgnoreCase))
            {
                throw new XenMmException(MmError.InvalidArgument, $"--out {target.Name}: '{target.Extension}' is neither .svg nor .png.");
            }

            XenMachine m;
            if (parse.GetValue(file) is { } saved)
            {
                if (machine.AnyGiven(parse))
                {
                    throw new XenMmException(MmError.InvalidArgument, "heatmap: give a checkpoint FILE or machine options, not both.");
                }

                m = SavedMachine.Load(saved).Machine;
            }
            else if (parse.GetResult(machine.Arch) is { Implicit: false })
            {
                m = machine.Create(parse);
                m.Boot();
            }
            else
            {
                throw new XenMmException(MmError.InvalidArgument, "heatmap: give a checkpoint FILE or --arch arm32|arm64.");
            }

            var grid = HeatGrid.Of(m, parse.GetValue(cell) is { } c ? ByteSize.Parse(c, "--cell") : null);
            if (!png)
            {
                AtomicFile.WriteAllBytes(target.FullName, System.Text.Encoding.UTF8.GetBytes(HeatSvg.Write(grid)));
            }
            else if (Png(grid, error) is { } bytes)
            {
                AtomicFile.WriteAllBytes(target.FullName, bytes);
                if (!HeatPng.HasFonts)
                {
                    error.WriteLine($"xenmm: note: {target.Name} has no text: SkiaSharp found no font under /usr/share/fonts (install one, e.g. Debian's fonts-dejavu-core, or write .svg).");
                }
            }
            else
            {
                return ImageFailed;
            }

            terminal.Line($"wrote {target.Name}: {grid.Architecture}, PA [0x{grid.StartMfn << Addressing.PageShift:x}, 0x{grid.EndMfn << Addressing.PageShift:x}), " +
                $"{grid.Cells.Count} cells of {ByteSize.Format(grid.CellPages * Addressing.PageSize)} ({HeatGrid.Columns} a row)");
            var legend = Tables.New("category", ">pages", "marked");
            foreach (var (category, pages) in grid.Legend)
            {
                var marked = grid.Cells.Count(x => x.Marks.Contains(category));
                legend.Row(category.Name, pages, marked == 0 ? "" : $"in {marked} cell(s)");
            }

            terminal.Write(legend);
            return 0;
        }));
        return command;
    }

    // Rendered in memory first: a failure leaves no half-written file.
    private static byte[]? Png(HeatGrid grid, TextWriter error)
    {
        try
        {
            return HeatPng.Write(grid);
        }
        catch (Exception ex) when (HeatPng.IsNativeFailure(ex))
        {
            var inner = ex;
            while (inner is TypeInitializationException { InnerException: { } e })
            {
                inner = e;
            }

            error.WriteLine($"xenmm: PNG: SkiaSharp's native library (libSkiaSharp) could not be loaded ({inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ").Split(". ")[0]}); write .svg instead.");
            return null;
        }
    }
}

using System.CommandLine;
using XenMm.Cli.Machines;
using XenMm.Cli.Output;

namespace XenMm.Cli.Commands;

/// <summary>
/// <c>xenmm boot --arch NAME [machine options] [--json] [--image FILE]</c>: boots a machine and shows Xen's boot log,
/// the layout, where the xenheap or the direct map went, the frame table, every boot allocation, the free pages per
/// zone, the page census and the audit.
/// </summary>
internal static class BootCommand
{
    public const int BootFailed = 1;

    public static Command Create(Terminal terminal)
    {
        var (output, error) = (terminal.Output, terminal.Error);
        var machine = new MachineArguments();
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of the summary (docs/cli.md)." };
        var image = new Option<FileInfo>("--image") { Description = "Also write the machine's RAM to this file (sparse), for 'xenmm pt' or an MMU emulator." };
        var command = new Command("boot", "Boot a simulated Xen machine and show what its memory set-up did.");
        machine.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(image);
        command.SetAction(parse => Run(error, () =>
        {
            var m = machine.Create(parse);
            m.Boot();
            if (parse.GetValue(json))
            {
                output.Flush();
                using var stdout = new MemoryStream();
                BootReport.WriteJson(m, stdout);
                output.WriteLine(System.Text.Encoding.UTF8.GetString(stdout.ToArray()));
            }
            else
            {
                BootReport.WriteText(m, terminal);
            }

            if (parse.GetValue(image) is { } file)
            {
                MachineImage.Write(m, file, parse.GetValue(json) ? error : output);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Runs a machine command: bad input exits 2, a boot Xen would panic on exits 1, each with one line.</summary>
    internal static int Run(TextWriter error, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (XenMmException ex)
        {
            error.WriteLine($"xenmm: {ex.Error}: {ex.Message}");
            return ex.Error == MmError.BootFailed ? BootFailed : Program.BadInput;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"xenmm: {ex.Message}");
            return Program.BadInput;
        }
    }
}

using System.CommandLine;
using XenMm.Cli.Commands;
using XenMm.Cli.Output;

namespace XenMm.Cli;

/// <summary>Entry point of the <c>xenmm</c> tool.</summary>
public static class Program
{
    /// <summary>Exit code for bad input (an unparsable number, an unknown format).</summary>
    public const int BadInput = 2;

    /// <summary>Runs the tool; returns the process exit code.</summary>
    public static int Main(string[] args) => Run(args, Console.In, Terminal.FromConsole());

    /// <summary>Runs the tool against the given writers (used by tests); standard input is the console's.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, Console.In, output, error);

    /// <summary>Runs the tool against the given reader and writers (used by tests): plain output, as when redirected.</summary>
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error) => Run(args, input, new Terminal(output, error));

    internal static int Run(string[] args, TextReader input, Terminal terminal)
    {
        var (output, error) = (terminal.Output, terminal.Error);
        var root = new RootCommand("xenmm: the Xen hypervisor's ARM memory management, modelled.")
        {
            DemoCommand.Create(terminal),
            DecodeCommand.Create(output),
            PtCommand.Create(input, output, error),
            BootCommand.Create(terminal),
            RunCommand.Create(terminal),
            InspectCommand.Create(terminal),
            DiffCommand.Create(output, error),
            HeatmapCommand.Create(terminal),
            TranslateCommand.Create(input, output, error),
        };
        root.SetAction(_ => ListCommands(root, output));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"xenmm: {parsed.Errors[0].Message}");
            return BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
        }
        catch (XenMmException ex)
        {
            error.WriteLine($"xenmm: {ex.Error}: {ex.Message}");
            return BadInput;
        }
    }

    // `xenmm` alone: the commands, one a line, instead of System.CommandLine's "Required command was not provided".
    private static int ListCommands(RootCommand root, TextWriter output)
    {
        output.WriteLine(root.Description);
        output.WriteLine();
        output.WriteLine("Commands:");
        var width = root.Subcommands.Max(c => c.Name.Length) + 2;
        foreach (var c in root.Subcommands)
        {
            output.WriteLine($"  {c.Name.PadRight(width)}{c.Description}");
        }

        output.WriteLine();
        output.WriteLine("Start with 'xenmm demo'; 'xenmm COMMAND --help' shows a command's options (docs/cli.md has them all).");
        return 0;
    }
}

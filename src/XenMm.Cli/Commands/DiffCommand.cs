using System.CommandLine;
using XenMm.Checkpoint;

namespace XenMm.Cli.Commands;

/// <summary><c>xenmm diff A B</c>: what changed between two checkpoints of one machine (exit 0 same, 1 different).</summary>
internal static class DiffCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var a = new Argument<FileInfo>("A") { Description = "The earlier checkpoint." };
        var b = new Argument<FileInfo>("B") { Description = "The later checkpoint." };
        var command = new Command("diff", "Compare two checkpoints of one machine: pages, heap, domains, mappings.") { a, b };
        command.SetAction(parse => BootCommand.Run(error, () =>
        {
            using var sa = File.OpenRead(parse.GetValue(a)!.FullName);
            using var sb = File.OpenRead(parse.GetValue(b)!.FullName);
            var diff = CheckpointDiff.Compare(sa, sb);
            output.Write(diff.ToString());
            output.WriteLine(diff.IsEmpty ? "identical" : "different");
            return diff.IsEmpty ? 0 : 1;
        }));
        return command;
    }
}

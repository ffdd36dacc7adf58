using System.CommandLine;
using XenMm.Cli.Machines;
using XenMm.Cli.Output;

namespace XenMm.Cli.Commands;

/// <summary><c>xenmm inspect FILE [--json]</c>: what <c>xenmm boot</c> shows, for a saved machine, and the file's records.</summary>
internal static class InspectCommand
{
    public static Command Create(Terminal terminal)
    {
        var (output, error) = (terminal.Output, terminal.Error);
        var file = new Argument<FileInfo>("FILE") { Description = "A checkpoint written by 'xenmm run --save' or XenMachine.SaveCheckpoint." };
        var json = new Option<bool>("--json") { Description = "Print boot's JSON document for the saved machine." };
        var command = new Command("inspect", "Show a saved machine: its boot summary, census and audit, and the checkpoint's records.") { file, json };
        command.SetAction(parse => BootCommand.Run(error, () =>
        {
            var (m, info, length) = SavedMachine.Load(parse.GetValue(file)!);
            if (parse.GetValue(json))
            {
                using var stdout = new MemoryStream();
                BootReport.WriteJson(m, stdout);
                output.WriteLine(System.Text.Encoding.UTF8.GetString(stdout.ToArray()));
                return 0;
            }

            BootReport.WriteText(m, terminal);
            terminal.Line();
            terminal.Line($"Checkpoint: {length} bytes, written by XenMm {info.WriterVersion}");
            var records = Tables.New("record", ">count", ">bytes");
            foreach (var (type, (count, size)) in info.Records)
            {
                records.Row(type, count, size);
            }

            terminal.Write(records);
            if (info.Attachments.Count != 0)
            {
                terminal.Line($"  attachments: {string.Join(", ", info.Attachments)}");
            }

            terminal.Line($"state_hash 0x{m.StateHash():x16}");
            return 0;
        }));
        return command;
    }
}

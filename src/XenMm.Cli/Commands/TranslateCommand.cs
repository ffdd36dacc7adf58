using System.CommandLine;
using System.Text.Json;
using XenMm.Cli.Machines;
using XenMm.Machine;
using XenMm.PageTables;

namespace XenMm.Cli.Commands;

/// <summary>
/// <c>xenmm translate FILE VA [r|w|x]... [--cpu N] [--json]</c>: walks a saved machine's tables as a CPU would, for
/// a read, write or fetch, and says what the page is used for.
/// </summary>
internal static class TranslateCommand
{
    public static Command Create(TextReader input, TextWriter output, TextWriter error)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A checkpoint written by 'xenmm run --save', 'xenmm demo --save' or XenMachine.SaveCheckpoint." };
        var requests = new Argument<string[]>("VA")
        {
            Description = "Virtual addresses in hex, each optionally followed by r (default), w or x; read from standard input when none are given.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var cpu = new Option<int>("--cpu") { Description = "The CPU whose tables to walk (default 0, the boot CPU)." };
        var json = new Option<bool>("--json") { Description = "One JSON array, an object per VA." };
        var command = new Command("translate", "Translate virtual addresses through a saved machine's page tables: 'VA PA attr=0xNN use=CATEGORY' or 'VA FAULT ...'.")
        {
            file, requests, cpu, json,
        };
        command.SetAction(parse => BootCommand.Run(error, () =>
        {
            var items = parse.GetValue(requests) is { Length: > 0 } given ? given : PtCommand.ReadLines(input);
            var parsed = PtCommand.ParseRequests(items).ToList();
            var m = SavedMachine.Load(parse.GetValue(file)!).Machine;
            var id = parse.GetValue(cpu);
            if (id < 0 || id >= m.Cpus.Count)
            {
                throw new XenMmException(MmError.InvalidArgument, $"--cpu {id}: the machine has CPUs 0-{m.Cpus.Count - 1}.");
            }

            var mappings = m.Cpus[id].Mappings;
            var spans = m.Census().Spans;
            var results = parsed.Select(r => (r.Va, r.Access, T: mappings.Translate(r.Va, r.Access))).ToList();
            if (parse.GetValue(json))
            {
                WriteJson(results, spans, output);
                return 0;
            }

            foreach (var (va, access, t) in results)
            {
                var use = t.TryGetPhysAddr(out var pa) && UseOf(spans, pa.Mfn) is { } u ? $" use={BootReport.Snake(u.ToString())}" : "";
                output.WriteLine(PtCommand.FormatTranslation(va, t, access) + use);
            }

            return 0;
        }));
        return command;
    }

    private static void WriteJson(List<(VirtAddr Va, AccessType Access, Translation T)> results, IReadOnlyList<CensusSpan> spans, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var (va, access, t) in results)
            {
                w.WriteStartObject();
                w.WriteString("va", $"0x{va.Value:x}");
                w.WriteString("access", PtCommand.AccessName(access));
                w.WriteNumber("level", t.Level);
                if (t.TryGetPhysAddr(out var pa))
                {
                    w.WriteString("pa", $"0x{pa.Value:x}");
                    w.WriteString("attr", $"0x{Mair.AttributeOf(t.Attributes.AttrIndx):x2}");
                    w.WriteString("permissions", t.Permissions.ToString());
                    if (UseOf(spans, pa.Mfn) is { } use)
                    {
                        w.WriteString("use", BootReport.Snake(use.ToString()));
                    }
                }
                else
                {
                    w.WriteString("fault", PtCommand.FormatTranslation(va, t).Split("type=")[1]);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static PageUse? UseOf(IReadOnlyList<CensusSpan> spans, Mfn mfn)
    {
        var (lo, hi) = (0, spans.Count - 1);
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (mfn.Value < spans[mid].Start.Value)
            {
                hi = mid - 1;
            }
            else if (mfn.Value >= spans[mid].End.Value)
            {
                lo = mid + 1;
            }
            else
            {
                return spans[mid].Use;
            }
        }

        return null;
    }
}

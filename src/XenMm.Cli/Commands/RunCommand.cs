using System.CommandLine;
using XenMm.Checkpoint;
using XenMm.Machine;
using XenMm.Cli.Machines;
using XenMm.Cli.Output;
using XenMm.Workloads;

namespace XenMm.Cli.Commands;

/// <summary>
/// <c>xenmm run --workload churn|domains [--ops N] [--seed S] [--save FILE] [--resume FILE] [machine options]</c>:
/// boots a machine (or resumes a saved one with its workload), runs the workload and prints its results and the
/// machine's state hash last. N + M operations in one go and N, save, resume M give the same state hash.
/// </summary>
internal static class RunCommand
{
    public static Command Create(Terminal terminal)
    {
        var (output, error) = (terminal.Output, terminal.Error);
        var machine = new MachineArguments(archRequired: false);
        var workload = new Option<string>("--workload") { Description = "churn (W1's alloc/free loop on the domheap) or domains (domains, claims, xenheap, map_domain_page)." };
        var ops = new Option<string>("--ops") { Description = "Operations to run (default 100000)." };
        var seed = new Option<string>("--seed") { Description = "The workload's seed (default 1)." };
        var save = new Option<FileInfo>("--save") { Description = "Save the machine and the workload's state to this checkpoint file at the end." };
        var resume = new Option<FileInfo>("--resume") { Description = "Continue the machine and workload saved in this checkpoint (machine options come from it)." };
        var command = new Command("run", "Run a workload on a simulated machine, optionally saving or resuming a checkpoint.");
        machine.AddTo(command);
        foreach (var o in new Option[] { workload, ops, seed, save, resume })
        {
            command.Options.Add(o);
        }

        command.SetAction(parse => BootCommand.Run(error, () =>
        {
            var count = parse.GetValue(ops) is { } o ? ByteSize.Parse(o, "--ops") : 100_000UL;
            var kind = parse.GetValue(workload);
            XenMachine m;
            object work;
            if (parse.GetValue(resume) is { } file)
            {
                if (machine.AnyGiven(parse) || parse.GetValue(seed) is not null)
                {
                    throw new XenMmException(MmError.InvalidArgument, "--resume: the machine options and the seed come from the checkpoint.");
                }

                (m, work) = Resume(file, kind);
            }
            else
            {
                if (kind is not ("churn" or "domains"))
                {
                    throw new XenMmException(MmError.InvalidArgument, $"--workload: '{kind}' is neither churn nor domains.");
                }

                m = machine.Create(parse);
                m.Boot();
                var s = parse.GetValue(seed) is { } text ? ByteSize.Parse(text, "--seed") : 1UL;
                work = kind == "churn" ? new ChurnWorkload(s, m.Heap.TotalAvailPages) : new DomainsWorkload(s);
            }

            Run(m, work, count, terminal);
            Report(m, work, output);
            if (parse.GetValue(save) is { } target)
            {
                var bytes = work is ChurnWorkload c ? WorkloadStateCodec.Encode(c.GetState()) : WorkloadStateCodec.Encode(((DomainsWorkload)work).GetState());
                var length = AtomicFile.Write(target.FullName, stream =>
                    m.SaveCheckpoint(stream, new Dictionary<string, byte[]> { [WorkloadStateCodec.AttachmentName] = bytes }));
                output.WriteLine($"saved {target.Name} {length} bytes");
            }

            output.WriteLine($"state_hash 0x{m.StateHash():x16}");
            return 0;
        }));
        return command;
    }

    private static (XenMachine, object) Resume(FileInfo file, string? kind)
    {
        var bytes = File.ReadAllBytes(file.FullName);
        var info = CheckpointInfo.Read(new MemoryStream(bytes));
        var restored = XenMachine.RestoreCheckpointWithAttachments(new MemoryStream(bytes), Architectures.Create(info.Architecture));
        if (!restored.Attachments.TryGetValue(WorkloadStateCodec.AttachmentName, out var state))
        {
            throw new XenMmException(MmError.InvalidArgument, $"--resume {file.Name}: the checkpoint holds no workload state to resume.");
        }

        var saved = WorkloadStateCodec.Kind(state);
        if (kind is not null && kind != saved)
        {
            throw new XenMmException(MmError.InvalidArgument, $"--workload {kind}: the checkpoint's workload is {saved}.");
        }

        object work = saved == "churn" ? ChurnWorkload.FromState(WorkloadStateCodec.DecodeChurn(state)) : DomainsWorkload.FromState(WorkloadStateCodec.DecodeDomains(state));
        return (restored.Machine, work);
    }

    // Runs in slices (the results do not depend on them), with a progress bar on a terminal's standard error.
    private static void Run(XenMachine m, object work, ulong ops, Terminal terminal)
    {
        const int slices = 100;
        var name = work is ChurnWorkload ? "churn" : "domains";
        terminal.Progress($"{name}: {ops} operations", slices, advance =>
        {
            for (ulong i = 0; i < slices; i++)
            {
                var n = (ops * (i + 1) / slices) - (ops * i / slices);
                if (work is ChurnWorkload c)
                {
                    c.Run(m, n);
                }
                else
                {
                    ((DomainsWorkload)work).Run(m, n);
                }

                advance();
            }
        });
    }

    private static void Report(XenMachine m, object work, TextWriter output)
    {
        if (work is ChurnWorkload c)
        {
            output.WriteLine($"workload churn seed {c.Seed} operations {c.Operations}");
            output.WriteLine($"allocs {c.Allocs} frees {c.Frees} failures {c.Failures} live_blocks {c.LiveBlocks} live_pages {c.LivePages}");
            output.WriteLine($"alloc_mfn_hash 0x{c.AllocHash:x16}");
        }
        else
        {
            var d = (DomainsWorkload)work;
            output.WriteLine($"workload domains seed {d.Seed} operations {d.Operations}");
            output.WriteLine($"failures {d.Failures} refusals {d.Refusals} owned_pages {d.OwnedPages} xenheap_pages {d.XenheapPages}");
            output.WriteLine($"result_hash 0x{d.ResultHash:x16}");
        }

        output.WriteLine($"free_pages {m.Heap.TotalAvailPages} heap_hash 0x{m.Heap.StateHash():x16}");
    }
}

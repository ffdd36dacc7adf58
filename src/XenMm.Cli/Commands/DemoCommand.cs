using System.CommandLine;
using XenMm.Arm32.Machine;
using XenMm.Arm64.Machine;
using XenMm.Cli.Demo;
using XenMm.Cli.Machines;
using XenMm.Cli.Output;
using XenMm.Machine;

namespace XenMm.Cli.Commands;

/// <summary>
/// <c>xenmm demo [--save DIR]</c>: the main job on embedded defaults. Boots an arm32 and an arm64 machine on their
/// default boards, shows their layouts and heaps, runs a seeded workload, checkpoints, restores and verifies.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(Terminal terminal)
    {
        var save = new Option<DirectoryInfo>("--save")
        {
            Description = "Also write the two checkpoints the demo made (arm32.ckpt, arm64.ckpt) to this directory.",
        };
        var command = new Command("demo", "Boot an arm32 and an arm64 machine, run a workload, checkpoint, restore and verify.") { save };
        command.SetAction(parse => BootCommand.Run(terminal.Error, () =>
        {
            terminal.Line("XenMm models the memory management of the Xen hypervisor on ARM. This demo boots two machines on");
            terminal.Line("QEMU virt's board (1 GiB of RAM at 0x40000000), runs a seeded workload on each (domains, claims, the");
            terminal.Line("xenheap, map_domain_page, vmalloc), saves a checkpoint, restores it and runs both copies on.");
            var dir = parse.GetValue(save);
            var ok = true;
            foreach (var arch in new IArchitecture[] { new Arm32Architecture(), new Arm64Architecture() })
            {
                terminal.Line();
                var tour = new MachineTour(arch, terminal);
                terminal.Status($"{arch.Name}: booting on the default board", tour.Run);
                ok &= tour.Verified;
                if (dir is not null)
                {
                    dir.Create();
                    var file = Path.Combine(dir.FullName, $"{arch.Name}.ckpt");
                    AtomicFile.WriteAllBytes(file, tour.Checkpoint);
                    terminal.Line($"  saved {file}");
                }
            }

            terminal.Line();
            terminal.Line(ok
                ? "Verified: each restored machine hashes like the one saved, and both stay equal as they run on."
                : "NOT verified: a restored machine differs from the one saved (see the != above).");
            terminal.Line("Where to look next: docs/machine.md (boot, census), docs/checkpoint-format.md, docs/cli.md.");
            terminal.Line("Try:");
            var ckpt = dir is null ? "m.ckpt" : Path.Combine(dir.FullName, "arm32.ckpt");
            var next = new List<string>
            {
                "xenmm boot --arch arm32                         # Xen's boot log and the whole memory set-up",
                "xenmm heatmap --arch arm32 --out heap.svg       # a picture of physical memory",
            };
            if (dir is null)
            {
                next.Add("xenmm run --workload domains --arch arm32 --ops 100000 --save m.ckpt");
            }

            next.Add($"xenmm inspect {ckpt}");
            next.Add($"xenmm translate {ckpt} 0x{Xenheap32:x}");
            next.Add("xenmm decode --format lpae 0x0040000080000F7D   # one descriptor, field by field");
            foreach (var line in next)
            {
                terminal.Line($"  {line}");
            }

            return ok ? 0 : 1;
        }));
        return command;
    }

    // arm32's XENHEAP_VIRT_START, where the default board's xenheap is mapped.
    private const ulong Xenheap32 = 0x4000_0000;
}

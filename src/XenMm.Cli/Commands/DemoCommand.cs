using System.CommandLine;

namespace XenMm.Cli.Commands;

/// <summary><c>xenmm demo</c>: a short tour of XenMm on embedded defaults.</summary>
internal static class DemoCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("demo", "A short tour of XenMm on embedded defaults.");
        command.SetAction(_ =>
        {
            output.WriteLine("XenMm: a reference model of Xen's memory management on ARM.");
            output.WriteLine($"4 KiB pages: PAGE_SHIFT = {Addressing.PageShift}; MFN of PA {new PhysAddr(0x8000_0000)} is {new PhysAddr(0x8000_0000).Mfn}.");
            return 0;
        });
        return command;
    }
}

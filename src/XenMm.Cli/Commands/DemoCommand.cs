using System.CommandLine;
using XenMm.Arm32;
using XenMm.Cli.Decoding;
using XenMm.Cli.Demo;

namespace XenMm.Cli.Commands;

/// <summary><c>xenmm demo</c>: a short tour of XenMm on embedded defaults.</summary>
internal static class DemoCommand
{
    // Descriptors Xen really writes (reference/xen-mm.md, Examples 5 and 6), each with what it is.
    private static readonly (ulong Raw, string Explanation)[] XenDescriptors =
    [
        (0x0040_0000_8000_0F7D, "Example 5 (a): a 2 MiB level-2 block of RAM at 0x80000000, PAGE_HYPERVISOR_RW (mfn_to_xen_entry, MT_NORMAL, inner shareable, XN)."),
        (0x0040_0000_1C09_0E73, "Example 5 (e): ioremap_nocache's level-3 page of a device at 0x1C090000, PAGE_HYPERVISOR_NOCACHE (MT_DEVICE_nGnRE, outer shareable)."),
        (0x00C0_0000_8F00_0F7D, "Example 6: arm32 map_domain_page slot 120 mapping 0x8F000000 with its reference count 1 kept in avail (bits 58:55)."),
    ];

    public static Command Create(TextWriter output)
    {
        var image = new Option<FileInfo>("--image")
        {
            Description = "Also write the 2 MiB of RAM that hold the demo's page tables to this file, for 'xenmm pt translate|dump'.",
        };
        var command = new Command("demo", "A short tour of XenMm on embedded defaults.") { image };
        command.SetAction(parse =>
        {
            output.WriteLine("XenMm: a reference model of Xen's memory management on ARM.");
            output.WriteLine($"4 KiB pages: PAGE_SHIFT = {Addressing.PageShift}; MFN of PA {new PhysAddr(0x8000_0000)} is {new PhysAddr(0x8000_0000).Mfn}.");
            output.WriteLine();
            var (memory, heap) = HeapTour.Run(output);
            var root = PageTableTour.Run(output, memory, heap);
            if (parse.GetValue(image) is { } file)
            {
                PageTableTour.ExportTables(output, memory, root, file);
            }

            output.WriteLine();
            output.WriteLine("4. Three LPAE descriptors Xen writes (xenmm decode --format lpae 0xRAW shows every field):");
            var lpae = DescriptorFormat.Find("lpae")!;
            foreach (var (raw, explanation) in XenDescriptors)
            {
                output.WriteLine($"0x{raw:X16}  {explanation}");
                output.WriteLine($"  {new LpaeEntry(raw)}");
                output.WriteLine($"  {lpae.DescribeKinds(raw)}");
            }

            return 0;
        });
        return command;
    }
}

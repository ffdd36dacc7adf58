using XenMm.Cli;

namespace XenMm.Cli.Tests;

/// <summary><c>xenmm demo</c>: two machines on their default boards, a workload, a checkpoint, the restore verified.</summary>
public class DemoCommandTests
{
    [Fact]
    public void Demo_boots_both_architectures_and_verifies_the_restore()
    {
        var (lines, error) = Demo([]);
        Assert.Equal("", error);
        Assert.Contains("  (XEN) Xen heap: 000000007e000000-0000000080000000 (8192 pages)", lines);
        Assert.Contains("  xenheap: MFN [0x7E000, 0x80000) 8192 pages mapped at 0x40000000; buffer pages 0x7E000, 0x7FFFF kept out of both heaps", lines);
        Assert.Contains("  direct map: MFN [0x40000, 0x80000) at 0x800000000000; xenheap pages come from the one heap, flagged PGC_xen_heap", lines);
        Assert.Contains("  workload domains seed 1, 2000 ops: 4 domains own 1168 pages, 54 xenheap pages live, 0 failures, 180 claims refused", lines);
        var layout = Array.IndexOf(lines, "  layout:");
        Assert.Equal(
        [
            "    region                 start                size  holds",
            "    XEN_VIRT_START         0000000000200000    8 MiB  Xen text, data, bss",
            "    FIXMAP_ADDR(0)         0000000000a00000    2 MiB  fixmap: special-purpose 4K slots",
            "    BOOT_FDT_VIRT_START    0000000000c00000    4 MiB  early boot mapping of the FDT",
            "    LIVEPATCH_VMAP_START   0000000001000000    2 MiB  livepatch vmap (if compiled in)",
            "    FRAMETABLE_VIRT_START  0000000002000000   96 MiB  frame table: 32 bytes per page",
            "    VMAP_VIRT_START        0000000010000000  768 MiB  vmap, ioremap",
            "    XENHEAP_VIRT_START     0000000040000000    1 GiB  xenheap: always mapped",
            "    DOMHEAP_VIRT_START     0000000080000000    2 GiB  domheap: per-CPU map_domain_page slots",
        ], lines[(layout + 1)..(layout + 10)]);
        var census = Array.IndexOf(lines, "  census (262144 pages):");
        Assert.Equal(
        [
            "    category     after boot  after the workload",
            "    free             259496              258271",
            "    xenheap               3                  57",
            "    buffer                2                   2",
            "    domain                0                1168",
            "    page_table            2                   2",
            "    vmap                  1                   4",
            "    frame_table        2048                2048",
            "    module              592                 592",
            "  checkpoint: 8298 bytes in memory; restored: state_hash 0x4afb79d0658427bc == 0x4afb79d0658427bc",
        ], lines[(census + 1)..(census + 11)]);
        Assert.Contains("  checkpoint: 8298 bytes in memory; restored: state_hash 0x4afb79d0658427bc == 0x4afb79d0658427bc", lines);
        Assert.Contains("  both run on (vfree, 500 more ops): state_hash 0x615932eb71725373 == 0x615932eb71725373, audit clean", lines);
        Assert.Equal(2, lines.Count(l => l.StartsWith("  both run on", StringComparison.Ordinal) && l.EndsWith("audit clean", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains("!=", StringComparison.Ordinal));
        Assert.Contains("Verified: each restored machine hashes like the one saved, and both stay equal as they run on.", lines);
    }

    [Fact]
    public void Demo_ends_with_the_commands_to_try_next()
    {
        var (lines, _) = Demo([]);
        var tryAt = Array.IndexOf(lines, "Try:");
        Assert.True(tryAt > 0);
        Assert.All(lines[(tryAt + 1)..], l => Assert.StartsWith("  xenmm ", l));
        Assert.Contains("  xenmm translate m.ckpt 0x40000000", lines);
    }

    [Fact]
    public void Demo_save_writes_checkpoints_that_inspect_and_translate_read()
    {
        var dir = Directory.CreateTempSubdirectory("xenmm-demo-").FullName;
        try
        {
            var (lines, _) = Demo(["--save", dir]);
            var arm32 = Path.Combine(dir, "arm32.ckpt");
            Assert.Contains($"  saved {arm32}", lines);
            Assert.Contains($"  saved {Path.Combine(dir, "arm64.ckpt")}", lines);
            Assert.Contains($"  xenmm inspect {arm32}", lines);

            var output = new StringWriter();
            Assert.Equal(0, Program.Run(["inspect", arm32], output, new StringWriter()));
            var inspect = output.ToString().TrimEnd().Split(Environment.NewLine);
            Assert.StartsWith("Checkpoint: 8298 bytes, written by XenMm ", inspect[^15]);
            Assert.Equal(
            [
                "  record      count  bytes",
                "  Header          1    182",
                "  Boot            1     37",
                "  Domains         1     80",
                "  Memory          3   2157",
                "  FrameTable      1   3732",
                "  Heap            1    425",
                "  Vmap            1     75",
                "  Frames          1     58",
                "  Part            3    345",
                "  Attachment      1   1165",
                "  End             1     26",
                "  attachments: workload",
                "state_hash 0x4afb79d0658427bc",
            ], inspect[^14..]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void No_command_lists_the_commands()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, Program.Run([], output, error));
        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Equal("Commands:", lines[2]);
        foreach (var name in new[] { "demo", "boot", "run", "inspect", "diff", "decode", "pt" })
        {
            Assert.Contains(lines, l => l.StartsWith($"  {name} ", StringComparison.Ordinal));
        }

        Assert.Equal("", error.ToString());
    }

    [Fact]
    public void Unknown_command_exits_with_bad_input()
    {
        var error = new StringWriter();
        Assert.Equal(Program.BadInput, Program.Run(["no-such-command"], new StringWriter(), error));
        Assert.StartsWith("xenmm: ", error.ToString());
    }

    private static (string[] Lines, string Error) Demo(string[] extra)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, Program.Run(["demo", .. extra], output, error));
        return (output.ToString().TrimEnd().Split(Environment.NewLine), error.ToString());
    }
}

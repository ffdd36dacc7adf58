using XenMm.Cli;

namespace XenMm.Cli.Tests;

public class DemoCommandTests
{
    [Fact]
    public void Demo_runs_on_embedded_defaults()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, Program.Run(["demo"], output, error));
        Assert.Contains("XenMm", output.ToString());
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public void Demo_decodes_real_xen_descriptors_with_an_explanation_each()
    {
        var output = new StringWriter();
        Assert.Equal(0, Program.Run(["demo"], output, new StringWriter()));
        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Contains(lines, l => l.StartsWith("0x0040000080000F7D  Example 5 (a): a 2 MiB level-2 block", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("0x004000001C090E73  Example 5 (e):", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("0x00C000008F000F7D  Example 6:", StringComparison.Ordinal));
        Assert.Contains("  Valid=1 Table=0 Ai=MT_NORMAL(7) Ns=1 Up=1 Ro=0 Sh=Inner(3) Af=1 Ng=1 Base=0x8F000000 Contig=0 Pxn=0 Xn=1 Avail=1 Pxnt=0 Xnt=0 Apt=0 Nst=0 [raw 0x00C000008F000F7D]", lines);
        Assert.Contains("  level 1: table, level 2: table, level 3: page", lines);
    }

    [Fact]
    public void Demo_runs_the_heap_page_tables_and_vmap_on_one_host()
    {
        var output = new StringWriter();
        Assert.Equal(0, Program.Run(["demo"], output, new StringWriter()));
        var lines = output.ToString().Split(Environment.NewLine);

        // One order-18 chunk; the first order-0 allocation is its highest page, the order-2 one the next aligned four.
        Assert.Contains("   alloc_heap_pages(order 0) = 0xBFFFF, then order 2 = 0xBFFF8: a split keeps the highest pages,", lines);
        Assert.Contains("   the lower halves go back on the lists: 1 1 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 0", lines);
        Assert.Contains("   free both: buddies merge back; free chunks per order: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1", lines);
        Assert.Contains("   audit (xen-mm.md §10 invariants): 0 violations", lines);

        // Tables come from the domheap top down: root 0xBFFFF, L1 0xBFFFE, L2 0xBFFFD; two 2 MiB blocks.
        Assert.Contains("   mapped: 0x800000000000-0x800000400000 0x80000000 size=0x400000 attr=0xFF rw xn", lines);
        Assert.Contains("     L2[0x000] @0xBFFFD000 = 0x0040000080000F7D Block", lines);
        Assert.Contains("   translate: 0x800000123456 -> 0x80123456", lines);
        Assert.Contains("   vmap(MFN 0x90000) = 0xA0040009000; ioremap_nocache(0x1C090123) = 0xA004000B123", lines);
        Assert.Contains("   uart leaf descriptor: 0x004000001C090E73 (MT_DEVICE_nGnRE, outer shareable, XN)", lines);
    }

    [Fact]
    public void Demo_image_can_be_walked_with_pt_dump()
    {
        var image = Path.GetTempFileName();
        try
        {
            var output = new StringWriter();
            Assert.Equal(0, Program.Run(["demo", "--image", image], output, new StringWriter()));
            Assert.Equal(2L << 20, new FileInfo(image).Length);
            Assert.Contains($"   xenmm pt dump --format vmsa64 --image {image} --base 0xBFE00000 --root 0xBFFFF000", output.ToString().Split(Environment.NewLine));

            var dump = new StringWriter();
            Assert.Equal(0, Program.Run(["pt", "dump", "--format", "vmsa64", "--image", image, "--base", "0xBFE00000", "--root", "0xBFFFF000"], dump, new StringWriter()));
            Assert.Equal(
                [
                    "0xA0040000000-0xA0040001000 0xBFFFC000 size=0x1000 attr=0xFF rw xn", // the vmap bitmap's first page
                    "0xA0040009000-0xA004000A000 0x90000000 size=0x1000 attr=0xFF rw xn",
                    "0xA004000B000-0xA004000C000 0x1C090000 size=0x1000 attr=0x04 rw xn",
                    "0x800000000000-0x800000400000 0x80000000 size=0x400000 attr=0xFF rw xn",
                ],
                dump.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            File.Delete(image);
        }
    }

    [Fact]
    public void Unknown_command_exits_with_bad_input()
    {
        var error = new StringWriter();
        Assert.Equal(Program.BadInput, Program.Run(["no-such-command"], new StringWriter(), error));
        Assert.StartsWith("xenmm: ", error.ToString());
    }
}

using XenMm.Cli;

namespace XenMm.Cli.Tests;

/// <summary><c>xenmm boot --arch arm64</c>: the default board is real-xen.md's, and a board beyond the frame table fails as Xen does.</summary>
public sealed class BootArm64Tests
{
    [Fact]
    public void Default_board_prints_real_xens_lines_and_boot_allocations()
    {
        var (code, output, error) = Run("boot", "--arch", "arm64");
        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.StartsWith("(XEN) RAM: 0000000040000000 - 000000007fffffff\n(XEN) MODULE[0]: 0000000040200000 - 0000000040372fff Xen", output.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        // After the boot log, the summary exactly: tables plain (redirected output: no borders, no ANSI, no trailing spaces).
        var lines = output.TrimEnd().Split(Environment.NewLine);
        Assert.Equal(
        [
            "Layout (arm64):",
            "  region                 start             last                size  holds",
            "  IDENTITY_MAPPING_AREA  0000000000000000  000009ffffffffff  10 TiB  reserved for the identity map of Xen (L0 slots 0-19)",
            "  XEN_VIRT_START         00000a0000200000  00000a00009fffff   8 MiB  Xen text, data, bss",
            "  FIXMAP_ADDR(0)         00000a0000a00000  00000a0000bfffff   2 MiB  fixmap: special-purpose 4K slots",
            "  BOOT_FDT_VIRT_START    00000a0000c00000  00000a0000ffffff   4 MiB  early boot mapping of the FDT",
            "  LIVEPATCH_VMAP_START   00000a0001000000  00000a00011fffff   2 MiB  livepatch vmap",
            "  VMAP_VIRT_START        00000a0040000000  00000a007fffffff   1 GiB  vmap: ioremap, vmalloc",
            "  FRAMETABLE_VIRT_START  00000a0800000000  00000a0fffffffff  32 GiB  frame table: 56 bytes per page",
            "  DIRECTMAP_VIRT_START   0000800000000000  000084ffffffffff   5 TiB  1:1 map of RAM (L0 slots 256-265)",
            "Direct map (unified heap): MFN [0x40000, 0x80000) at VA 0x800000000000; xenheap pages are flagged PGC_xen_heap",
            "Frame table: MFN [0x7F000, 0x7FE00) 3584 pages (frame table at 0xA0800000000)",
            "Boot allocations (alloc_boot_pages, in order):",
            "  MFNs                pages  align  purpose",
            "  [0x7FFFF, 0x80000)      1      1  page table",
            "  [0x7F000, 0x7FE00)   3584    512  frame table at 0xA0800000000",
            "  [0x7FFFE, 0x7FFFF)      1      1  page table",
            "  [0x7FFFD, 0x7FFFE)      1      1  vmap bitmap",
            "  [0x7FFFC, 0x7FFFD)      1      1  page table",
            "  [0x7FFFB, 0x7FFFC)      1      1  page table",
            "Boot allocator regions when end_boot_allocator started:",
            "  MFNs                 pages",
            "  [0x40000, 0x40200)     512",
            "  [0x40373, 0x42000)    7309",
            "  [0x42001, 0x48000)   24575",
            "  [0x48100, 0x7F000)  225024",
            "  [0x7FE00, 0x7FFFB)     507",
            "Free pages by zone: zone 19: 257927",
            "Census (262144 RAM pages):",
            "  category      pages",
            "  free         257927",
            "  page_table        4",
            "  vmap              1",
            "  frame_table    3584",
            "  module          628",
            "CPUs: cpu0 root 0x40372000, cpu1 root 0x40372000",
            "Audit: clean",
        ], lines[Array.IndexOf(lines, "Layout (arm64):")..]);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = Program.Run(args, TextReader.Null, output, error);
        return (code, output.ToString(), error.ToString());
    }
}

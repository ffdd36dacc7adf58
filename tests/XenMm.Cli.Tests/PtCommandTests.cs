using XenMm.Arm32.PageTables;
using XenMm.Arm64.PageTables;
using XenMm.Cli;
using XenMm.PageTables;
using XenMm.Tests.Shared;

namespace XenMm.Cli.Tests;

/// <summary><c>xenmm pt</c> on images exported from tables the engine built: exact lines, exit 2 on bad input.</summary>
public sealed class PtCommandTests : IDisposable
{
    private const ulong Va = 0x0000_0A00_4000_0000;
    private readonly string _image = Path.GetTempFileName();

    public void Dispose() => File.Delete(_image);

    [Fact]
    public void Translate_vmsa64_prints_pa_and_mair_byte_or_the_fault()
    {
        var root = BuildVmsa64();
        var (code, lines, error) = Run(null, "pt", "translate", "--format", "vmsa64", "--image", _image, "--base", "0x40000000", "--root", root, "0xA0040000123", "0xA0040201000", "0xA0040002000", "0x1000", "0x1000000000000");
        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Equal(
            [
                "0xA0040000123 0x80000123 attr=0xFF",
                "0xA0040201000 0x90001000 attr=0x04",
                "0xA0040002000 FAULT level=3 type=translation",
                "0x1000 FAULT level=0 type=translation",
                "0x1000000000000 FAULT level=0 type=translation",
            ],
            lines);
    }

    [Fact]
    public void Translate_reads_vas_from_standard_input()
    {
        var root = BuildVmsa64();
        var (code, lines, _) = Run(new StringReader("0xA0040001FFF\n\n0xA0040200000\n"), "pt", "translate", "-f", "vmsa64", "-i", _image, "--base", "0x4000_0000", "--root", root);
        Assert.Equal(0, code);
        Assert.Equal(["0xA0040001FFF 0x80001FFF attr=0xFF", "0xA0040200000 0x90000000 attr=0x04"], lines);
    }

    [Fact]
    public void Dump_vmsa64_lists_merged_ranges()
    {
        var root = BuildVmsa64();
        var (code, lines, _) = Run(null, "pt", "dump", "--format", "vmsa64", "--image", _image, "--base", "0x40000000", "--root", root);
        Assert.Equal(0, code);
        Assert.Equal(
            [
                "0xA0040000000-0xA0040002000 0x80000000 size=0x2000 attr=0xFF rw xn",
                "0xA0040200000-0xA0040400000 0x90000000 size=0x200000 attr=0x04 rw xn",
            ],
            lines);
    }

    [Fact]
    public void Translate_and_dump_lpae()
    {
        var host = new TestHost();
        var xen = XenMappings<LpaeFormat>.Create(host.Memory, host.Frames);
        xen.Map(new VirtAddr(0x1000_7000), new Mfn(0x1C090), 1, PageFlags.HypervisorNoCache);
        xen.Map(new VirtAddr(0x4000_0000), new Mfn(0xFC000), 16 * 512, PageFlags.HypervisorRo | PageFlags.Block);
        Export(host);
        var root = xen.Tables.Root.ToString();
        var (code, lines, _) = Run(null, "pt", "translate", "--format", "lpae", "--image", _image, "--base", "0x40000000", "--root", root, "0x10007010", "0x41FFFFFF", "0x42000000");
        Assert.Equal(0, code);
        Assert.Equal(["0x10007010 0x1C090010 attr=0x04", "0x41FFFFFF 0xFDFFFFFF attr=0xFF", "0x42000000 FAULT level=2 type=translation"], lines);
        (code, lines, _) = Run(null, "pt", "dump", "--format", "lpae", "--image", _image, "--base", "0x40000000", "--root", root);
        Assert.Equal(0, code);
        Assert.Equal(["0x10007000-0x10008000 0x1C090000 size=0x1000 attr=0x04 rw xn", "0x40000000-0x42000000 0xFC000000 size=0x2000000 attr=0xFF ro xn"], lines);
    }

    [Fact]
    public void A_link_outside_the_image_is_an_external_abort()
    {
        var host = new TestHost();
        var tables = PageTables<Vmsa64Format>.Create(host.Memory, host.Frames);
        host.Memory.WriteU64(tables.Root, 0x7000_0003);
        Export(host);
        var (code, lines, _) = Run(null, "pt", "translate", "--format", "vmsa64", "--image", _image, "--base", "0x40000000", "--root", tables.Root.ToString(), "0x1000");
        Assert.Equal(0, code);
        Assert.Equal(["0x1000 FAULT level=1 type=external-abort"], lines);
    }

    [Fact]
    public void Translate_checks_the_access_given_after_each_va()
    {
        var root = BuildVmsa64();
        var (code, lines, error) = Run(new StringReader("0xA0040000123 w\n0xA0040000123 x\n0xA0040000123 r\n0xA0040000123\n"), "pt", "translate", "-f", "vmsa64", "-i", _image, "--base", "0x40000000", "--root", root);
        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Equal(
            [
                "0xA0040000123 0x80000123 attr=0xFF access=w",
                "0xA0040000123 FAULT level=3 type=permission access=x", // PAGE_HYPERVISOR_RW is XN
                "0xA0040000123 0x80000123 attr=0xFF",
                "0xA0040000123 0x80000123 attr=0xFF",
            ],
            lines);
    }

    [Fact]
    public void Translate_reports_a_write_to_a_read_only_block_as_a_permission_fault()
    {
        var host = new TestHost();
        var xen = XenMappings<LpaeFormat>.Create(host.Memory, host.Frames);
        xen.Map(new VirtAddr(0x4000_0000), new Mfn(0xFC000), 512, PageFlags.HypervisorRo | PageFlags.Block);
        Export(host);
        var (code, lines, _) = Run(null, "pt", "translate", "--format", "lpae", "--image", _image, "--base", "0x40000000", "--root", xen.Tables.Root.ToString(), "0x40000010", "w", "0x40000010", "r");
        Assert.Equal(0, code);
        Assert.Equal(["0x40000010 FAULT level=2 type=permission access=w", "0x40000010 0xFC000010 attr=0xFF"], lines);
    }

    [Theory]
    [InlineData("w")]
    [InlineData("0x1000 q")]
    public void A_misplaced_or_unknown_access_exits_2(string request)
    {
        var root = BuildVmsa64();
        var (code, _, error) = Run(new StringReader(request), "pt", "translate", "-f", "vmsa64", "-i", _image, "--base", "0x40000000", "--root", root);
        Assert.Equal(2, code);
        Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Dump_names_a_table_outside_the_image_in_va_order()
    {
        var host = new TestHost();
        var xen = XenMappings<Vmsa64Format>.Create(host.Memory, host.Frames);
        xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.HypervisorRw);
        host.Memory.WriteU64(xen.Tables.Root, 0x7000_0003); // L0[0] links a table at 0x70000000, outside the image
        Export(host);
        var (code, lines, _) = Run(null, "pt", "dump", "--format", "vmsa64", "--image", _image, "--base", "0x40000000", "--root", xen.Tables.Root.ToString());
        Assert.Equal(0, code);
        Assert.Equal(
            [
                "0x0-0x8000000000 unreadable level-1 table at 0x70000000 (outside the image)",
                "0xA0040000000-0xA0040001000 0x80000000 size=0x1000 attr=0xFF rw xn",
            ],
            lines);
    }

    [Theory]
    [InlineData("--format", "x86", "--base", "0x40000000", "--root", "0x40000000", "0x1000")]
    [InlineData("--format", "vmsa64", "--base", "0xZZ", "--root", "0x40000000", "0x1000")]
    [InlineData("--format", "vmsa64", "--base", "0x40000000", "--root", "0x80000000", "0x1000")]
    [InlineData("--format", "vmsa64", "--base", "0x40000000", "--root", "0x40000010", "0x1000")]
    [InlineData("--format", "vmsa64", "--base", "0x40000000", "--root", "0x40000000", "not-a-va")]
    [InlineData("--format", "vmsa64", "--root", "0x40000000", "0x1000")]
    public void Bad_input_exits_2_with_one_xenmm_line(params string[] options)
    {
        BuildVmsa64();
        var (code, lines, error) = Run(null, ["pt", "translate", "--image", _image, .. options]);
        Assert.Equal(2, code);
        Assert.Empty(lines);
        Assert.StartsWith("xenmm: ", error, StringComparison.Ordinal);
        Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_missing_image_exits_2()
    {
        var (code, _, error) = Run(null, "pt", "dump", "--format", "lpae", "--image", _image + ".absent", "--base", "0", "--root", "0");
        Assert.Equal(2, code);
        Assert.StartsWith("xenmm: ", error, StringComparison.Ordinal);
    }

    private string BuildVmsa64()
    {
        var host = new TestHost();
        var xen = XenMappings<Vmsa64Format>.Create(host.Memory, host.Frames);
        xen.Map(new VirtAddr(Va), new Mfn(0x80000), 2, PageFlags.HypervisorRw);
        xen.Map(new VirtAddr(Va + 0x20_0000), new Mfn(0x90000), 512, PageFlags.HypervisorNoCache | PageFlags.Block);
        Export(host);
        return xen.Tables.Root.ToString();
    }

    private void Export(TestHost host)
    {
        using var file = File.Create(_image);
        host.Memory.ExportImage(new PhysAddr(TestHost.RamStart), TestHost.RamSize, file);
    }

    private static (int Code, string[] Lines, string Error) Run(TextReader? input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Program.Run(args, input ?? new StringReader(string.Empty), output, error);
        return (code, output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), error.ToString());
    }
}

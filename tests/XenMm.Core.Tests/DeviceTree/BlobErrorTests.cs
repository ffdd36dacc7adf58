using System.Buffers.Binary;
using XenMm.DeviceTree;

namespace XenMm.Core.Tests.DeviceTree;

/// <summary>Every way <see cref="FlattenedDeviceTree.Parse"/> refuses a malformed blob: code, byte offset and fault.</summary>
public class BlobErrorTests
{
    // Layout of Minimal(): header 40, one terminating rsvmap entry at 40, structure block at 56.
    private static byte[] Minimal() => new FdtBuilder().Begin("").Prop("model", "m").Begin("chosen").End().End().Build();

    private static byte[] WithField(int offset, uint value, byte[]? blob = null)
    {
        blob ??= Minimal();
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(offset), value);
        return blob;
    }

    private static void Refused(byte[] blob, string fragment)
    {
        var ex = Assert.Throws<XenMmException>(() => FlattenedDeviceTree.Parse(blob));
        Assert.Equal(MmError.InvalidDeviceTree, ex.Error);
        Assert.Contains(fragment, ex.Message);
        Assert.StartsWith("Invalid device tree at byte 0x", ex.Message);
    }

    [Fact]
    public void The_minimal_blob_parses() => Assert.Equal(2, FlattenedDeviceTree.Parse(Minimal()).NodeCount);

    public static TheoryData<string, byte[], string> HeaderCases() => new()
    {
        { "short", new byte[39], "byte 0x27: the blob is 39 bytes, shorter than the 40-byte header" },
        { "magic", WithField(0, 0xFEEDD00D), "byte 0x0: magic is 0xFEEDD00D, not 0xD00DFEED" },
        { "version", WithField(20, 15), "byte 0x14: version 15 is older than 16" },
        { "last_comp", WithField(24, 18), "byte 0x18: last_comp_version 18 is newer than 17" },
        { "version below last_comp", WithField(20, 16, WithField(24, 17)), "version 16 is below last_comp_version 17" },
        { "totalsize small", WithField(4, 39), "byte 0x4: totalsize 39 is smaller than the 40-byte header" },
        { "totalsize INT_MAX", WithField(4, 0x8000_0000), "totalsize 0x80000000 is above INT_MAX" },
        { "totalsize large", WithField(4, 4096), "totalsize 4096 is larger than the" },
        { "rsvmap outside", WithField(16, 8), "byte 0x10: off_mem_rsvmap 0x8 is outside" },
        { "rsvmap aligned", WithField(16, 44), "off_mem_rsvmap 0x2C is not 8-byte aligned" },
        { "struct outside", WithField(36, 0x1000), "byte 0x8: structure block [0x38, 0x1038) is outside" },
        { "struct wraps", WithField(36, 0xFFFF_FFF0), "structure block [0x38," },
        { "struct aligned", WithField(8, 58), "off_dt_struct 0x3A is not 4-byte aligned" },
        { "strings outside", WithField(12, 0x20), "byte 0xC: strings block [0x20" },
        { "strings size", WithField(32, 0x1000), "strings block [" },
    };

    [Theory]
    [MemberData(nameof(HeaderCases))]
    public void A_bad_header_is_refused(string what, byte[] blob, string fragment)
    {
        _ = what;
        Refused(blob, fragment);
    }

    [Fact]
    public void A_memory_reservation_block_without_its_terminator_is_refused()
    {
        // Fill from the rsvmap to the end with non-zero sizes.
        var blob = Minimal();
        for (int i = 40; i + 16 <= blob.Length; i += 16)
            BinaryPrimitives.WriteUInt64BigEndian(blob.AsSpan(i + 8), 1);
        Refused(blob, "the memory reservation block has no terminating entry (size 0) before totalsize");
    }

    [Fact]
    public void A_version_16_blob_has_no_struct_size_and_its_block_runs_to_totalsize()
    {
        var blob = WithField(20, 16);
        WithField(36, 0xDEAD, blob); // ignored at v16
        Assert.Equal(16u, FlattenedDeviceTree.Parse(blob).Version);
    }

    public static TheoryData<string, byte[], string> StructureCases()
    {
        byte[] Tree(Func<FdtBuilder, FdtBuilder> build) => build(new FdtBuilder()).Build();
        var unterminatedName = Tree(b => b.Begin("").End());
        // A structure block of 4 bytes ends right after the root's FDT_BEGIN_NODE, before its name.
        return new()
        {
            { "not begin", Tree(b => b.Nop().Begin("").End()), "byte 0x38: the structure block starts with token 0x4, not FDT_BEGIN_NODE" },
            { "second root", Tree(b => b.Begin("").End().Begin("x").End()), "byte 0x44: a second root node follows the first" },
            { "end node", Tree(b => b.Begin("").End().End()), "byte 0x44: FDT_END_NODE closes no open node" },
            { "open", Tree(b => b.Begin("").Begin("a")), "FDT_END with 2 node(s) still open" },
            { "token", Tree(b => b.Begin("").Prop("x", "y").End()).Patch(0x40, 7), "byte 0x40: unknown structure token 0x00000007" },
            { "no end", WithField(36, 8, Tree(b => b.Begin("").End())), "the structure block ends at 0x40 without FDT_END" },
            { "name", WithField(36, 4, unterminatedName), "byte 0x3C: a node name runs past the end of the structure block" },
            { "prop outside", Tree(b => b.Begin("").End().Prop("x", "y")), "byte 0x44: a property lies outside any node" },
            { "prop after child", Tree(b => b.Begin("").Begin("a").End().Prop("x", "y").End()), "a property follows a child node of ''" },
            { "prop header", WithField(36, 16, Tree(b => b.Begin("").Prop("x", "y").End())), "byte 0x40: a property header runs past the end of the structure block" },
            { "prop length", Tree(b => b.Begin("").Prop("x", "y").End()).Patch(0x44, 0x100), "byte 0x44: property length 256 runs past the end of the structure block" },
            { "name offset", Tree(b => b.Begin("").Prop("x", "y").End()).Patch(0x48, 9), "byte 0x48: property name offset 0x9 is outside the 2-byte strings block" },
            { "name unterminated", WithField(32, 1, Tree(b => b.Begin("").Prop("x", "y").End())), "a property name runs past the end of the strings block" },
        };
    }

    [Theory]
    [MemberData(nameof(StructureCases))]
    public void A_bad_structure_block_is_refused(string what, byte[] blob, string fragment)
    {
        _ = what;
        Refused(blob, fragment);
    }

    [Fact]
    public void Nops_and_trailing_bytes_after_fdt_end_are_accepted()
    {
        var tree = FlattenedDeviceTree.Parse(new FdtBuilder().Begin("").Nop().Prop("a", "b").Nop().End().Build(padding: 64));
        Assert.Equal("", tree.Root.Name);
    }
}

internal static class BlobPatch
{
    public static byte[] Patch(this byte[] blob, int offset, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(offset), value);
        return blob;
    }
}

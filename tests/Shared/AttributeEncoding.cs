using CsCheck;
using XenMm.PageTables;

namespace XenMm.Tests.Shared;

/// <summary>
/// A format's <c>EncodeAttributes</c> against the generated accessors, and its refusals: the encode composes the
/// fields from their generated positions in one expression, so every field is checked against the With chain and
/// the decode.
/// </summary>
internal static class AttributeEncoding
{
    /// <summary>Any attribute set whose fields fit their bits (AttrIndx 0-7, Shareability 0-3, Software 0-15).</summary>
    public static readonly Gen<LeafAttributes> Valid =
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, 3], Gen.Int[0, 255], Gen.Int[0, 15]).Select((ai, sh, flags, sw) => new LeafAttributes(
            (MairIndex)ai,
            (Shareability)sh,
            AccessFlag: (flags & 1) != 0,
            ReadOnly: (flags & 2) != 0,
            ExecuteNever: (flags & 4) != 0,
            NotGlobal: (flags & 8) != 0,
            NonSecure: (flags & 16) != 0,
            Unprivileged: (flags & 32) != 0,
            Contiguous: (flags & 64) != 0,
            Software: (byte)sw));

    /// <summary>Every valid set encodes as <paramref name="reference"/> (the generated With chain) does, and decodes back.</summary>
    public static void MatchesTheGeneratedAccessors<TFormat>(Func<LeafAttributes, ulong> reference)
        where TFormat : struct, IPageTableFormat =>
        Valid.Sample(attributes =>
        {
            var bits = TFormat.EncodeAttributes(attributes);
            Assert.Equal(reference(attributes), bits);
            Assert.Equal(0UL, bits & (TFormat.OutputAddressMask | 3));
            Assert.Equal(attributes, TFormat.DecodeAttributes(bits));
        });

    /// <summary>
    /// MakeTable and MakeLeaf give what the generated With chain gives (address, then table bit, then valid bit) for
    /// any attribute word, stray bits 1:0 and address bits included, any output address the format holds and every
    /// level; <paramref name="table"/> and <paramref name="leaf"/> are that chain.
    /// </summary>
    public static void DescriptorsMatchTheGeneratedAccessors<TFormat>(Func<ulong, ulong, ulong> table, Func<ulong, ulong, int, ulong> leaf)
        where TFormat : struct, IPageTableFormat =>
        Gen.Select(Gen.ULong, Gen.ULong, Gen.Int[1, 3]).Sample((bits, address, level) =>
        {
            var pa = address & TFormat.OutputAddressMask;
            Assert.Equal(table(bits, pa), TFormat.MakeTable(new PhysAddr(pa), bits));
            Assert.Equal(leaf(bits, pa, level), TFormat.MakeLeaf(new PhysAddr(pa), level, bits));
        });

    /// <summary>The sets with one field too wide for its bits, and the words the refusal must name.</summary>
    public static TheoryData<string, string> TooWide => new()
    {
        { "AttrIndx", "AttrIndx 8" },
        { "Shareability", "Shareability 4" },
        { "Software", "Software 16" },
    };

    /// <summary>The set named by <paramref name="field"/> in <see cref="TooWide"/>.</summary>
    public static LeafAttributes Widen(string field)
    {
        var normal = LeafAttributes.FromXenFlags(PageFlags.HypervisorRw);
        return field switch
        {
            "AttrIndx" => normal with { AttrIndx = (MairIndex)8 },
            "Shareability" => normal with { Shareability = (Shareability)4 },
            _ => normal with { Software = 16 },
        };
    }

    /// <summary>
    /// The encode refuses a field too wide for its bits with InvalidArgument naming it, and a map asking for it
    /// leaves the tree, its memory and its allocator exactly as they were.
    /// </summary>
    public static void RefusesTooWide<TFormat>(string field, string named, ulong va)
        where TFormat : struct, IPageTableFormat
    {
        var attributes = Widen(field);
        var ex = Assert.Throws<XenMmException>(() => TFormat.EncodeAttributes(attributes));
        Assert.Equal(MmError.InvalidArgument, ex.Error);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);

        var host = new TestHost();
        var tables = PageTables<TFormat>.Create(host.Memory, host.Frames);
        tables.MapRange(new VirtAddr(va), new PhysAddr(0x8000_0000), 0x1000, LeafAttributes.FromXenFlags(PageFlags.HypervisorRw), allowBlocks: false);
        var before = host.Snapshot();
        var used = host.Frames.Used;
        var pages = tables.TablePages;

        // In the next 1 GiB: with valid attributes this map would take new tables.
        var refusal = Assert.Throws<XenMmException>(() =>
            tables.MapRange(new VirtAddr(va + 0x4000_0000), new PhysAddr(0x8020_0000), 0x1000, attributes, allowBlocks: false));
        Assert.Equal(MmError.InvalidArgument, refusal.Error);
        Assert.Equal(before, host.Snapshot());
        Assert.Equal(used, host.Frames.Used);
        Assert.Equal(pages, tables.TablePages);
    }
}

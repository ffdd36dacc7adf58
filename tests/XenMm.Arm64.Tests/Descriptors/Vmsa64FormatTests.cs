using XenMm.Arm64.PageTables;
using XenMm.PageTables;
using XenMm.Tests.Shared;

namespace XenMm.Arm64.Tests.Descriptors;

/// <summary>Vmsa64Format's attribute encoding: exact values, the generated accessors, and the refusals.</summary>
public class Vmsa64FormatTests
{
    // xen-mm.md Example 5 (b): Xen's table descriptor for 0x8000_0000 (mfn_to_xen_entry(mfn, MT_NORMAL), XN, table).
    [Fact]
    public void A_Xen_table_link_is_example_5b()
    {
        var bits = Vmsa64Format.EncodeAttributes(LeafAttributes.XenTable());
        Assert.Equal(0x0040_0000_0000_0F7CUL, bits);
        Assert.Equal(0x0040_0000_8000_0F7FUL, Vmsa64Format.MakeTable(new PhysAddr(0x8000_0000), bits));
    }

    [Fact]
    public void Every_valid_attribute_set_encodes_as_the_generated_accessors_do() =>
        AttributeEncoding.MatchesTheGeneratedAccessors<Vmsa64Format>(a => default(Vmsa64Entry)
            .WithAttrIndx(a.AttrIndx).WithNS(a.NonSecure).WithAP1(a.Unprivileged).WithReadOnly(a.ReadOnly)
            .WithSH(a.Shareability).WithAF(a.AccessFlag).WithNG(a.NotGlobal).WithContiguous(a.Contiguous)
            .WithXN(a.ExecuteNever).WithSoftware(a.Software).Raw);

    [Fact]
    public void Table_and_leaf_descriptors_are_what_the_generated_accessors_build() =>
        AttributeEncoding.DescriptorsMatchTheGeneratedAccessors<Vmsa64Format>(
            (bits, pa) => new Vmsa64Entry(bits).WithOutputAddress(new PhysAddr(pa)).WithTable(true).WithValid(true).Raw,
            (bits, pa, level) => new Vmsa64Entry(bits).WithOutputAddress(new PhysAddr(pa)).WithTable(level == Lpae.PageLevel).WithValid(true).Raw);

    [Theory]
    [MemberData(nameof(AttributeEncoding.TooWide), MemberType = typeof(AttributeEncoding))]
    public void A_field_too_wide_for_its_bits_is_refused_before_anything_changes(string field, string named) =>
        AttributeEncoding.RefusesTooWide<Vmsa64Format>(field, named, 0x40_0000_0000);
}

using XenMm.Arm32.PageTables;
using XenMm.PageTables;
using XenMm.Tests.Shared;

namespace XenMm.Arm32.Tests.Descriptors;

/// <summary>LpaeFormat's attribute encoding: exact values, the generated accessors, and the refusals.</summary>
public class LpaeFormatTests
{
    // xen-mm.md Example 5 (e): a device mapping at 0x1C09_0000 (MT_DEVICE_nGnRE, outer shareable, XN), as a page.
    [Fact]
    public void A_device_page_is_example_5e()
    {
        var bits = LpaeFormat.EncodeAttributes(LeafAttributes.FromXenFlags(PageFlags.HypervisorNoCache));
        Assert.Equal(0x0040_0000_1C09_0E73UL, LpaeFormat.MakeLeaf(new PhysAddr(0x1C09_0000), Lpae.PageLevel, bits));
    }

    [Fact]
    public void Every_valid_attribute_set_encodes_as_the_generated_accessors_do() =>
        AttributeEncoding.MatchesTheGeneratedAccessors<LpaeFormat>(a => default(LpaeEntry)
            .WithAi(a.AttrIndx).WithNs(a.NonSecure).WithUp(a.Unprivileged).WithRo(a.ReadOnly)
            .WithSh(a.Shareability).WithAf(a.AccessFlag).WithNg(a.NotGlobal).WithContig(a.Contiguous)
            .WithXn(a.ExecuteNever).WithAvail(a.Software).Raw);

    [Fact]
    public void Table_and_leaf_descriptors_are_what_the_generated_accessors_build() =>
        AttributeEncoding.DescriptorsMatchTheGeneratedAccessors<LpaeFormat>(
            (bits, pa) => new LpaeEntry(bits).WithBase(new PhysAddr(pa)).WithTable(true).WithValid(true).Raw,
            (bits, pa, level) => new LpaeEntry(bits).WithBase(new PhysAddr(pa)).WithTable(level == Lpae.PageLevel).WithValid(true).Raw);

    [Theory]
    [MemberData(nameof(AttributeEncoding.TooWide), MemberType = typeof(AttributeEncoding))]
    public void A_field_too_wide_for_its_bits_is_refused_before_anything_changes(string field, string named) =>
        AttributeEncoding.RefusesTooWide<LpaeFormat>(field, named, 0x1000_0000);
}

using CsCheck;
using XenMm.PageTables;

namespace XenMm.Abstractions.Tests.PageTables;

/// <summary>xen-mm.md 5.2: the kind of a descriptor from bits 1:0 and the level.</summary>
public class LpaeTests
{
    [Theory]
    [InlineData(0b00, 0, DescriptorKind.Invalid)]
    [InlineData(0b00, 1, DescriptorKind.Invalid)]
    [InlineData(0b00, 2, DescriptorKind.Invalid)]
    [InlineData(0b00, 3, DescriptorKind.Invalid)]
    [InlineData(0b10, 0, DescriptorKind.Invalid)]
    [InlineData(0b10, 1, DescriptorKind.Invalid)]
    [InlineData(0b10, 2, DescriptorKind.Invalid)]
    [InlineData(0b10, 3, DescriptorKind.Invalid)]
    [InlineData(0b11, 0, DescriptorKind.Table)]
    [InlineData(0b11, 1, DescriptorKind.Table)]
    [InlineData(0b11, 2, DescriptorKind.Table)]
    [InlineData(0b01, 0, DescriptorKind.Reserved)] // no level-0 blocks
    [InlineData(0b01, 1, DescriptorKind.Block)]
    [InlineData(0b01, 2, DescriptorKind.Block)]
    [InlineData(0b11, 3, DescriptorKind.Page)]
    [InlineData(0b01, 3, DescriptorKind.Reserved)]
    public void Classify_follows_Xen_level_rules(ulong low, int level, DescriptorKind kind)
    {
        Assert.Equal(kind, Lpae.Classify(0x0040_0000_8000_0F7C | low, level));
    }

    [Fact]
    public void Helpers_match_lpae_h()
    {
        Assert.True(Lpae.IsTable(0b11, 2));
        Assert.False(Lpae.IsTable(0b11, 3));
        Assert.True(Lpae.IsMapping(0b11, 3));
        Assert.True(Lpae.IsMapping(0b01, 2));
        Assert.True(Lpae.IsSuperpage(0b01, 1));
        Assert.False(Lpae.IsSuperpage(0b11, 3));
    }

    [Fact]
    public void The_walk_tests_agree_with_Classify_for_every_descriptor_and_level()
    {
        // The walk tests IsTable and IsMapping on the bits; Classify is the rule they must give.
        Gen.Select(Gen.ULong, Gen.Int[0, 3]).Sample((raw, level) =>
        {
            var kind = Lpae.Classify(raw, level);
            Assert.Equal(kind == DescriptorKind.Table, Lpae.IsTable(raw, level));
            Assert.Equal(kind is DescriptorKind.Block or DescriptorKind.Page, Lpae.IsMapping(raw, level));
        }, iter: 4000);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void Classify_refuses_a_level_outside_0_to_3(int level)
    {
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => Lpae.Classify(1, level)).Error);
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => Lpae.IsTable(3, level)).Error);
        var ex = Assert.Throws<XenMmException>(() => Lpae.IsMapping(3, level));
        Assert.Equal(MmError.InvalidArgument, ex.Error);
        Assert.Contains($"Level {level}", ex.Message);
    }
}

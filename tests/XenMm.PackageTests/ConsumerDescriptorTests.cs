using XenMm.Arm32;
using XenMm.PageTables;

namespace XenMm.PackageTests;

/// <summary>An ARMv7 short-descriptor section, declared here: the generator must come with the Abstractions package.</summary>
[PageTableEntry(32)]
[Reserved(9, 9)]
public readonly partial struct ShortSection
{
    [Bits(1, 0)]
    public partial byte Type { get; }

    [Bit(2)]
    public partial bool Bufferable { get; }

    [Bit(3)]
    public partial bool Cacheable { get; }

    [Bit(4)]
    public partial bool ExecuteNever { get; }

    [Bits(8, 5)]
    public partial byte Domain { get; }

    [Address(31, 20)]
    public partial PhysAddr Base { get; }
}

public class ConsumerDescriptorTests
{
    [Fact]
    public void A_consumer_descriptor_gets_generated_members()
    {
        var section = default(ShortSection).WithType(2).WithCacheable(true).WithBufferable(true).WithDomain(15).WithBase(new PhysAddr(0x8010_0000));
        Assert.Equal(0x8010_01EEU, section.Raw);
        Assert.Equal(2, section.Type);
        Assert.True(section.Cacheable);
        Assert.False(section.ExecuteNever);
        Assert.Equal(new PhysAddr(0x8010_0000), section.Base);
        Assert.Equal(0xFFF0_0000U, ShortSection.BaseMask);
        Assert.Equal(5, ShortSection.DomainShift);
        Assert.False(section.HasReservedBitsSet);
        Assert.Equal(
            "Type=2 Bufferable=1 Cacheable=1 ExecuteNever=0 Domain=15 Base=0x80100000 [raw 0x801001EE]",
            section.ToString());
        Assert.Equal(section, new ShortSection(0x8010_01EE));
        Assert.Throws<ArgumentOutOfRangeException>(() => section.WithDomain(16));
        Assert.Equal(7, ShortSection.Fields.Length);
    }

    [Fact]
    public void The_packaged_lpae_descriptor_decodes_example_5a()
    {
        var e = new LpaeEntry(0x0040_0000_8000_0F7D);
        Assert.Equal(MairIndex.MT_NORMAL, e.Ai);
        Assert.Equal(new PhysAddr(0x8000_0000), e.Base);
        Assert.Equal(DescriptorKind.Block, Lpae.Classify(e.Raw, 2));
    }
}

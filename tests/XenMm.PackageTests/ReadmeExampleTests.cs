using XenMm.PageTables;

namespace XenMm.PackageTests;

/// <summary>The README's "Declaring a descriptor" example, verbatim, so the README cannot drift.</summary>
[PageTableEntry]
[Reserved(51, 48)]
public readonly partial struct MyEntry
{
    [Bit(0)] public partial bool Valid { get; }
    [Bits(4, 2)] public partial MairIndex AttrIndx { get; }
    [Bits(9, 8)] public partial Shareability SH { get; }
    [Address(47, 12)] public partial PhysAddr OutputAddress { get; }
    [Bits(58, 55)] public partial byte Software { get; }
}

public class ReadmeExampleTests
{
    [Fact]
    public void Readme_example_holds()
    {
        var e = default(MyEntry).WithValid(true).WithAttrIndx(MairIndex.MT_NORMAL)
            .WithSH(Shareability.Inner).WithOutputAddress(new PhysAddr(0x8000_0000));
        Assert.Equal(0x0000_0000_8000_031DUL, e.Raw);
        Assert.Equal(0x1CUL, MyEntry.AttrIndxMask);
        Assert.Equal(2, MyEntry.AttrIndxShift);
        Assert.Equal("Valid=1 AttrIndx=MT_NORMAL(7) SH=Inner(3) OutputAddress=0x80000000 Software=0 [raw 0x000000008000031D]", e.ToString());
        Assert.Equal(6, MyEntry.Fields.Length);
    }
}

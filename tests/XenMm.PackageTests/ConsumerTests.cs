namespace XenMm.PackageTests;

public class ConsumerTests
{
    [Fact]
    public void Address_types_come_from_the_package()
    {
        Assert.Equal(new Mfn(0x80000), PhysAddr.Parse("0x8000_0000").Mfn);
        Assert.Equal("XenMm.Abstractions", typeof(Mfn).Assembly.GetName().Name);
    }
}

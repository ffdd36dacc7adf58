using Microsoft.Extensions.DependencyInjection;
using XenMm.Arm32.Machine;

namespace XenMm.Arm32.Tests.Hosting;

/// <summary>UseArm32() puts a DI-composed machine on the arm32 plug-in, booted on resolution, idempotently.</summary>
public sealed class UseArm32Tests
{
    [Fact]
    public void A_machine_composed_with_UseArm32_boots_arm32()
    {
        var services = new ServiceCollection();
        services.AddXenMm().UseArm32().UseArm32();
        services.AddXenMm("small", o => o.Ram = [new() { Start = "0x8000_0000", Size = "512MiB" }]).UseArm32();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();

        var machine = provider.GetRequiredService<XenMachine>();
        var small = provider.GetRequiredKeyedService<XenMachine>("small");

        Assert.IsType<Arm32Architecture>(machine.Architecture);
        Assert.Equal(new Arm32Architecture().DefaultBoard().Ram, machine.Options.Ram);
        Assert.Equal(512UL << 20, Assert.Single(small.Options.Ram).Size);
        Assert.True(machine.IsBooted && small.IsBooted);
        Assert.Empty(machine.Audit());
        Assert.Empty(small.Audit());
    }
}

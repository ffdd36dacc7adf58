using Microsoft.Extensions.DependencyInjection;
using XenMm.Arm64.Machine;

namespace XenMm.Arm64.Tests.Hosting;

/// <summary>UseArm64() puts a DI-composed machine on the arm64 plug-in, booted on resolution, idempotently.</summary>
public sealed class UseArm64Tests
{
    [Fact]
    public void A_machine_composed_with_UseArm64_boots_arm64()
    {
        var services = new ServiceCollection();
        services.AddXenMm().UseArm64().UseArm64();
        services.AddXenMm("small", o => o.Ram = [new() { Start = "0x8000_0000", Size = "512MiB" }]).UseArm64();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();

        var machine = provider.GetRequiredService<XenMachine>();
        var small = provider.GetRequiredKeyedService<XenMachine>("small");

        Assert.IsType<Arm64Architecture>(machine.Architecture);
        Assert.Equal(new Arm64Architecture().DefaultBoard().Ram, machine.Options.Ram);
        Assert.Equal(512UL << 20, Assert.Single(small.Options.Ram).Size);
        Assert.True(machine.IsBooted && small.IsBooted);
        Assert.Empty(machine.Audit());
        Assert.Empty(small.Audit());
    }
}

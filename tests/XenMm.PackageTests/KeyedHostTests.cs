using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace XenMm.PackageTests;

/// <summary>A consumer of the packed packages composes two keyed machines, one per architecture, from configuration.</summary>
public class KeyedHostTests
{
    private static ServiceProvider Compose(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddXenMm("left", configuration.GetSection("Machines:left")).UseArm32();
        services.AddXenMm("right", configuration.GetSection("Machines:right")).UseArm64();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Two_keyed_machines_boot_from_one_configuration()
    {
        using var provider = Compose(
            ("Machines:left:CommandLine", "xenheap_megabytes=64"),
            ("Machines:right:Ram:0:Start", "0x4000_0000"),
            ("Machines:right:Ram:0:Size", "2GiB"));
        provider.GetRequiredService<IStartupValidator>().Validate();

        var left = provider.GetRequiredKeyedService<XenMachine>("left");
        var right = provider.GetRequiredKeyedService<XenMachine>("right");
        Assert.Equal("arm32", left.Architecture.Name);
        Assert.Equal("arm64", right.Architecture.Name);
        Assert.Contains(left.BootLog, l => l.Text == "Xen heap: 000000007c000000-0000000080000000 (16384 pages, from command-line)");
        Assert.Equal(2UL << 30, right.Memory.TotalPages << 12);
        Assert.Empty(left.Audit());
        Assert.Empty(right.Audit());
    }

    [Fact]
    public void A_bad_setting_fails_at_start_naming_it()
    {
        using var provider = Compose(("Machines:right:Cpus", "0"));
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(e.Failures, f => f.Contains("Machines:right:Cpus", StringComparison.Ordinal));
    }
}

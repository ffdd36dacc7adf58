using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using XenMm.Hosting;
using XenMm.Machine;
using XenMm.Tests.Machine.Toy;

namespace XenMm.Tests.Hosting;

/// <summary>AddXenMm in a container: a booted singleton, idempotent registration, keyed machines, Use&lt;T&gt;, the boot log.</summary>
public sealed class XenMmCompositionTests
{
    [Fact]
    public void The_machine_resolves_booted_and_once()
    {
        var services = new ServiceCollection();
        services.AddXenMm(HostingSetup.Configuration(HostingSetup.SmallMachine()).GetSection("XenMm")).Use<ToyArchitecture>();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.ValidateAtStart();

        var machine = provider.GetRequiredService<XenMachine>();

        Assert.True(machine.IsBooted);
        Assert.IsType<ToyArchitecture>(machine.Architecture);
        Assert.Equal([new MemoryRegion(new PhysAddr(0x4000_0000), 256UL << 20)], machine.Options.Ram);
        Assert.Empty(machine.Audit());
        Assert.Same(machine, provider.GetRequiredService<XenMachine>());
    }

    [Fact]
    public void Registering_twice_is_harmless()
    {
        var configuration = HostingSetup.Configuration(HostingSetup.SmallMachine());
        Action<XenMmOptions> twoCpus = o => o.Cpus = 2;
        var services = new ServiceCollection();
        services.AddXenMm(configuration.GetSection("XenMm")).Use<ToyArchitecture>();
        services.AddXenMm(twoCpus);
        var count = services.Count;

        services.AddXenMm(configuration.GetSection("XenMm")).Use<ToyArchitecture>();
        services.AddXenMm(twoCpus).Use<ToyArchitecture>();
        services.AddXenMm();

        Assert.Equal(count, services.Count);
        using var provider = services.BuildServiceProvider();
        provider.ValidateAtStart();
        var machine = provider.GetRequiredService<XenMachine>();
        Assert.Single(machine.Options.Ram); // the section was bound once, not twice (which would repeat the bank)
        Assert.Equal(2, machine.Cpus.Count);
    }

    [Fact]
    public void A_second_architecture_for_the_same_machine_is_refused()
    {
        var services = new ServiceCollection();
        var builder = services.AddXenMm().Use<ToyArchitecture>();

        var e = Assert.Throws<InvalidOperationException>(() => builder.Use(_ => new ToyArchitecture()));

        Assert.Contains("already uses XenMm.Tests.Machine.Toy.ToyArchitecture", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_keyed_machines_with_their_own_options()
    {
        var configuration = HostingSetup.Configuration(
            ("Machines:left:Ram:0:Start", "0x4000_0000"), ("Machines:left:Ram:0:Size", "256MiB"), ("Machines:left:Cpus", "2"),
            ("Machines:right:Ram:0:Start", "0x8000_0000"), ("Machines:right:Ram:0:Size", "512MiB"), ("Machines:right:Profile", "2013"));
        var services = new ServiceCollection();
        services.AddXenMm("left", configuration.GetSection("Machines:left")).Use<ToyArchitecture>();
        services.AddXenMm("right", configuration.GetSection("Machines:right")).Use<ToyArchitecture>();
        using var provider = services.BuildServiceProvider();
        provider.ValidateAtStart();

        var left = provider.GetRequiredKeyedService<XenMachine>("left");
        var right = provider.GetRequiredKeyedService<XenMachine>("right");

        Assert.NotSame(left, right);
        Assert.Equal((0x4000_0000UL, 256UL << 20, 2, XenProfile.Current), (left.Options.Ram[0].Start.Value, left.Options.Ram[0].Size, left.Cpus.Count, left.Profile));
        Assert.Equal((0x8000_0000UL, 512UL << 20, 1, XenProfile.Xen2013), (right.Options.Ram[0].Start.Value, right.Options.Ram[0].Size, right.Cpus.Count, right.Profile));
        Assert.Same(left, provider.GetRequiredKeyedService<XenMachine>("left"));
        Assert.Null(provider.GetService<XenMachine>());
    }

    [Fact]
    public void Use_takes_the_architecture_registered_in_the_container_else_makes_one()
    {
        static XenMachine Resolve(Action<IServiceCollection> register, Func<IXenMmBuilder, IXenMmBuilder> use)
        {
            var services = new ServiceCollection();
            register(services);
            use(services.AddXenMm(o => o.Ram = [new() { Start = "1GiB", Size = "128MiB" }]));
            using var provider = services.BuildServiceProvider();
            return provider.GetRequiredService<XenMachine>();
        }

        var mine = new ToyArchitecture();

        Assert.Same(mine, Resolve(s => s.AddSingleton(mine), b => b.Use<ToyArchitecture>()).Architecture);
        Assert.Same(mine, Resolve(_ => { }, b => b.Use(_ => mine)).Architecture);
        var made = Resolve(_ => { }, b => b.Use<ToyArchitecture>());
        Assert.IsType<ToyArchitecture>(made.Architecture);
        Assert.NotSame(mine, made.Architecture);
    }

    [Fact]
    public void The_boot_log_goes_to_ILogger_of_XenMachine()
    {
        var recorder = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(recorder));
        services.AddXenMm(o => o.CommandLine = "console=dtuart").Use<ToyArchitecture>();
        services.AddXenMm("small", o => o.Ram = [new() { Start = "1GiB", Size = "128MiB" }]).Use<ToyArchitecture>();
        using var provider = services.BuildServiceProvider();

        var machine = provider.GetRequiredService<XenMachine>();

        var lines = recorder.Entries.Where(e => e.Category == typeof(XenMachine).FullName).ToList();
        Assert.Equal(machine.BootLog.Select(l => l.ToString()), lines.Select(e => e.Message));
        Assert.All(lines, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Contains("(XEN) RAM: 0000000040000000 - 000000007fffffff", lines.Select(e => e.Message));
        Assert.Contains("(XEN) Command line: console=dtuart", lines.Select(e => e.Message));
        Assert.Equal("(XEN) Domain heap initialised", lines[^1].Message);
        Assert.All(lines, e => Assert.Empty(e.Scopes));

        // A keyed machine logs inside a scope that names it.
        provider.GetRequiredKeyedService<XenMachine>("small");
        var small = recorder.Entries.Skip(lines.Count).ToList();
        Assert.Contains("(XEN) RAM: 0000000040000000 - 0000000047ffffff", small.Select(e => e.Message));
        Assert.All(small, e => Assert.Equal(["XenMm machine small"], e.Scopes));
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XenMm.Tests.Machine.Toy;

namespace XenMm.Tests.Hosting;

/// <summary>Bad settings fail at start, each message naming the setting by its configuration path.</summary>
public sealed class XenMmValidationTests
{
    private static OptionsValidationException FailAtStart(params (string, string?)[] settings)
    {
        var services = new ServiceCollection();
        services.AddXenMm(HostingSetup.Configuration(settings).GetSection("XenMm")).Use<ToyArchitecture>();
        using var provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(provider.ValidateAtStart);
    }

    public static TheoryData<string, string, string, string> BadSettings => new()
    {
        { "Ram:1:Size", "12 apples", "XenMm:Ram:1:Size: '12 apples' is not a number", "" },
        { "Ram:1:Size", "0", "XenMm:Ram:1:Size: 0;", "" },
        { "Ram:1:Start", "0x", "XenMm:Ram:1:Start: '0x' is not a number", "" },
        { "Ram:1:Start", "0x4000_0000", "XenMm:Ram:1 [0x40000000, 0x41000000) overlaps XenMm:Ram:0", "" },
        { "Ram:1:Start", "0x4800_0800", "XenMm:Ram:1 ", "4 KiB page" },
        { "Ram:1:Start", "0x1_0000_0000_0000", "XenMm:Ram:1 ", "physical address space" },
        { "Reserved:0:Size", "1 GiB please", "XenMm:Reserved:0:Size: '1 GiB please'", "" },
        { "Modules:0:Kind", "initrd", "XenMm:Modules:0:Kind: 'initrd' is not one of xen", "" },
        { "Modules:0:Start", "0x9000_0000", "XenMm:Modules:0 Kernel [0x90000000", "inside one RAM bank" },
        { "Cpus", "0", "XenMm:Cpus: 0 is outside 1..128", "" },
        { "Cpus", "129", "XenMm:Cpus: 129 is outside 1..128", "" },
        { "Profile", "2014", "XenMm:Profile: '2014' is neither current nor 2013", "" },
        { "DeviceTree:LoadAddress", "0x4800_0000", "XenMm:DeviceTree:LoadAddress: given without XenMm:DeviceTree:Path", "" },
        { "DeviceTree:Path", "no-such.dtb", "XenMm:DeviceTree:LoadAddress: required with XenMm:DeviceTree:Path", "" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_fails_at_start_naming_it(string key, string value, string expected, string alsoExpected)
    {
        var settings = new List<(string, string?)>
        {
            ("XenMm:Ram:0:Start", "0x4000_0000"), ("XenMm:Ram:0:Size", "128MiB"),
            ("XenMm:Ram:1:Start", "0x4800_0000"), ("XenMm:Ram:1:Size", "16MiB"),
            ("XenMm:Modules:0:Kind", "kernel"), ("XenMm:Modules:0:Start", "0x4100_0000"), ("XenMm:Modules:0:Size", "1MiB"),
            ("XenMm:Reserved:0:Start", "0x4200_0000"), ("XenMm:Reserved:0:Size", "4K"),
        };
        settings.RemoveAll(s => s.Item1 == "XenMm:" + key);
        settings.Add(("XenMm:" + key, value));

        var e = FailAtStart([.. settings]);

        var failure = Assert.Single(e.Failures);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
        Assert.Contains(alsoExpected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_setting_is_reported_at_once()
    {
        var e = FailAtStart(("XenMm:Ram:0:Start", "zero"), ("XenMm:Ram:0:Size", "lots"), ("XenMm:Profile", "1999"));

        Assert.Equal(["XenMm:Ram:0:Start", "XenMm:Ram:0:Size", "XenMm:Profile"], e.Failures.Select(f => f[..f.IndexOf(": ", StringComparison.Ordinal)]));
    }

    [Fact]
    public void An_unreadable_or_bad_device_tree_names_the_path()
    {
        var missing = FailAtStart(("XenMm:DeviceTree:Path", "/no/such/file.dtb"), ("XenMm:DeviceTree:LoadAddress", "0x4800_0000"));
        Assert.StartsWith("XenMm:DeviceTree:Path: cannot read '/no/such/file.dtb'", Assert.Single(missing.Failures), StringComparison.Ordinal);

        var dts = Path.Combine(AppContext.BaseDirectory, "DeviceTree", "Data", "banks.dts");
        var bad = FailAtStart(("XenMm:DeviceTree:Path", dts), ("XenMm:DeviceTree:LoadAddress", "0x4800_0000"));
        Assert.StartsWith($"XenMm:DeviceTree:Path: '{dts}': ", Assert.Single(bad.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_bank_from_the_device_tree_names_the_blob_and_a_setting_after_it_its_own_index()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "DeviceTree", "Data", "virt-arm64.dtb");

        var e = FailAtStart(
            ("XenMm:DeviceTree:Path", path), ("XenMm:DeviceTree:LoadAddress", "0x4800_0000"),
            ("XenMm:Modules:0:Kind", "kernel"), ("XenMm:Modules:0:Start", "0x4800_0000"), ("XenMm:Modules:0:Size", "4K"));

        // The blob's own module (index 0 in MachineOptions) is first; the setting is Modules:0 of the section.
        var failure = Assert.Single(e.Failures);
        Assert.Contains("XenMm:Modules:0", failure, StringComparison.Ordinal);
        Assert.Contains($"XenMm:DeviceTree:Path (Modules[0] from the blob)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_machine_without_an_architecture_fails_at_start()
    {
        var services = new ServiceCollection();
        services.AddXenMm("left", HostingSetup.Configuration(HostingSetup.SmallMachine("Machines:left")).GetSection("Machines:left"));
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(provider.ValidateAtStart);

        Assert.Contains("Machines:left: XenMm machine 'left' has no architecture; call UseArm32(), UseArm64() or Use<TArchitecture>()", Assert.Single(e.Failures), StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredKeyedService<XenMachine>("left"));
    }

    [Fact]
    public void A_keyed_machines_messages_name_its_own_section()
    {
        var services = new ServiceCollection();
        var configuration = HostingSetup.Configuration([.. HostingSetup.SmallMachine("Machines:right"), ("Machines:right:Cpus", "1000")]);
        services.AddXenMm("right", configuration.GetSection("Machines:right")).Use<ToyArchitecture>();
        services.AddXenMm("left", o => o.Cpus = 0).Use<ToyArchitecture>();
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<AggregateException>(provider.ValidateAtStart);

        var failures = e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(x => x.Failures).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["Machines:right:Cpus: 1000 is outside 1..128.", "XenMm(left):Cpus: 0 is outside 1..128."], failures);
    }

    [Fact]
    public void Resolving_a_badly_configured_machine_throws_the_same_failures()
    {
        var services = new ServiceCollection();
        services.AddXenMm(o => o.Ram = [new() { Start = "0x4000_0000", Size = "huge" }]).Use<ToyArchitecture>();
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<XenMachine>());

        Assert.Equal(["XenMm:Ram:0:Size: 'huge' is not a number (decimal, 0x hex, or a size such as 512MiB)."], e.Failures);
    }

    [Fact]
    public void A_number_the_binder_cannot_read_names_the_key()
    {
        var services = new ServiceCollection();
        services.AddXenMm(HostingSetup.Configuration([.. HostingSetup.SmallMachine(), ("XenMm:Cpus", "two")]).GetSection("XenMm")).Use<ToyArchitecture>();
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(provider.ValidateAtStart);

        Assert.Contains("'XenMm:Cpus'", e.Message, StringComparison.Ordinal);
    }
}

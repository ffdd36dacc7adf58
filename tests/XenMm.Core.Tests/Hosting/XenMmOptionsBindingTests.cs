using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XenMm.Core.Tests.DeviceTree;
using XenMm.Hosting;
using XenMm.Machine;
using XenMm.Tests.Machine.Toy;

namespace XenMm.Tests.Hosting;

/// <summary>XenMmOptions bound from configuration, every key and number form, and turned into MachineOptions as the CLI does.</summary>
public sealed class XenMmOptionsBindingTests
{
    private static XenMmOptions Bind(IConfiguration configuration, string name = "")
    {
        var services = new ServiceCollection();
        services.AddXenMm(name, configuration.GetSection("XenMm")).Use<ToyArchitecture>();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<XenMmOptions>>().Get(name);
    }

    [Fact]
    public void Every_key_binds_and_converts()
    {
        var configuration = HostingSetup.Configuration(
            ("XenMm:Ram:0:Start", "0x4000_0000"),
            ("XenMm:Ram:0:Size", "1GiB"),
            ("XenMm:Ram:1:Start", "6442450944"),
            ("XenMm:Ram:1:Size", "0x2000_0000"),
            ("XenMm:Reserved:0:Start", "0x5000_0000"),
            ("XenMm:Reserved:0:Size", "64K"),
            ("XenMm:Modules:0:Kind", "xen"),
            ("XenMm:Modules:0:Start", "0x4020_0000"),
            ("XenMm:Modules:0:Size", "1M"),
            ("XenMm:Modules:1:Kind", "Ramdisk"),
            ("XenMm:Modules:1:Start", "0x4400_0000"),
            ("XenMm:Modules:1:Size", "2MiB"),
            ("XenMm:CommandLine", "xenheap_megabytes=32"),
            ("XenMm:Cpus", "4"),
            ("XenMm:Profile", "2013"));

        var settings = Bind(configuration);
        Assert.Equal(["0x4000_0000", "6442450944"], settings.Ram.Select(r => r.Start));
        Assert.Equal("64K", settings.Reserved[0].Size);
        Assert.Equal(["xen", "Ramdisk"], settings.Modules.Select(m => m.Kind));
        Assert.Equal(4, settings.Cpus);

        var options = settings.ToMachineOptions(new ToyArchitecture());
        Assert.Equal([new MemoryRegion(new PhysAddr(0x4000_0000), 1UL << 30), new MemoryRegion(new PhysAddr(0x1_8000_0000), 512UL << 20)], options.Ram);
        Assert.Equal([new MemoryRegion(new PhysAddr(0x5000_0000), 0x1_0000)], options.Reserved);
        Assert.Equal(
            [new BootModule(BootModuleKind.Xen, new PhysAddr(0x4020_0000), 1UL << 20), new BootModule(BootModuleKind.Ramdisk, new PhysAddr(0x4400_0000), 2UL << 20)],
            options.Modules);
        Assert.Equal("xenheap_megabytes=32", options.CommandLine);
        Assert.Equal(4, options.Cpus);
        Assert.Equal(XenProfile.Xen2013, options.Profile);
    }

    [Theory]
    [InlineData("1073741824")]
    [InlineData("0x40000000")]
    [InlineData("0X4000_0000")]
    [InlineData("1GiB")]
    [InlineData("1G")]
    [InlineData("1024MiB")]
    [InlineData("1048576K")]
    [InlineData(" 1gib ")]
    public void Sizes_take_every_number_form(string size)
    {
        var configuration = HostingSetup.Configuration(("XenMm:Ram:0:Start", "1GiB"), ("XenMm:Ram:0:Size", size));

        var options = Bind(configuration).ToMachineOptions(new ToyArchitecture());

        Assert.Equal([new MemoryRegion(new PhysAddr(0x4000_0000), 0x4000_0000)], options.Ram);
    }

    [Fact]
    public void A_json_number_binds_like_its_text()
    {
        var json = """{ "XenMm": { "Ram": [ { "Start": 1073741824, "Size": 268435456 } ], "Cpus": 2 } }""";
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();

        var options = Bind(configuration).ToMachineOptions(new ToyArchitecture());

        Assert.Equal([new MemoryRegion(new PhysAddr(0x4000_0000), 256UL << 20)], options.Ram);
        Assert.Equal(2, options.Cpus);
    }

    [Theory]
    [InlineData("kernel", BootModuleKind.Kernel)]
    [InlineData("dtb", BootModuleKind.DeviceTree)]
    [InlineData("DeviceTree", BootModuleKind.DeviceTree)]
    [InlineData("xsm", BootModuleKind.XsmPolicy)]
    [InlineData("XsmPolicy", BootModuleKind.XsmPolicy)]
    [InlineData("other", BootModuleKind.Other)]
    [InlineData("microcode", BootModuleKind.Microcode)]
    [InlineData("GuestDeviceTree", BootModuleKind.GuestDeviceTree)]
    public void Module_kinds_take_the_CLIs_names_and_the_enums(string kind, BootModuleKind expected)
    {
        var settings = new XenMmOptions { Modules = [new() { Kind = kind, Start = "0x4100_0000", Size = "4K" }] };

        var options = settings.ToMachineOptions(new ToyArchitecture());

        Assert.Equal(expected, Assert.Single(options.Modules).Kind);
    }

    [Theory]
    [InlineData(null, XenProfile.Current)]
    [InlineData("current", XenProfile.Current)]
    [InlineData("Current", XenProfile.Current)]
    [InlineData("2013", XenProfile.Xen2013)]
    [InlineData("Xen2013", XenProfile.Xen2013)]
    public void Profiles_by_the_CLIs_name_or_the_enums(string? profile, XenProfile expected) =>
        Assert.Equal(expected, new XenMmOptions { Profile = profile }.ToMachineOptions(new ToyArchitecture()).Profile);

    [Fact]
    public void Nothing_set_is_the_architectures_default_board()
    {
        var arch = new ToyArchitecture();

        var options = new XenMmOptions().ToMachineOptions(arch);

        Assert.Equal(arch.DefaultBoard().Ram, options.Ram);
        Assert.Equal(arch.DefaultBoard().Cpus, options.Cpus);
    }

    [Fact]
    public void Device_tree_first_then_settings_override_as_the_CLI_does()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "DeviceTree", "Data", "virt-arm64.dtb");
        var configuration = HostingSetup.Configuration(
            ("XenMm:DeviceTree:Path", path),
            ("XenMm:DeviceTree:LoadAddress", "0x4800_0000"),
            ("XenMm:Reserved:0:Start", "0x7000_0000"),
            ("XenMm:Reserved:0:Size", "1MiB"),
            ("XenMm:Modules:0:Kind", "ramdisk"),
            ("XenMm:Modules:0:Start", "0x4900_0000"),
            ("XenMm:Modules:0:Size", "1MiB"),
            ("XenMm:Cpus", "1"));
        var fromBlob = MachineOptions.FromDeviceTree(TestBlobs.Load("virt-arm64"), new PhysAddr(0x4800_0000));

        var options = Bind(configuration).ToMachineOptions(new ToyArchitecture());

        Assert.Equal(fromBlob.Ram, options.Ram);
        Assert.Equal([.. fromBlob.Reserved, new MemoryRegion(new PhysAddr(0x7000_0000), 1UL << 20)], options.Reserved);
        Assert.Equal([.. fromBlob.Modules, new BootModule(BootModuleKind.Ramdisk, new PhysAddr(0x4900_0000), 1UL << 20)], options.Modules);
        Assert.Equal(fromBlob.CommandLine, options.CommandLine);
        Assert.Equal(1, options.Cpus);

        // Explicit RAM replaces the blob's banks.
        var replaced = new XenMmOptions
        {
            DeviceTree = new() { Path = path, LoadAddress = "0x4800_0000" },
            Ram = [new() { Start = "0x4000_0000", Size = "2GiB" }],
        }.ToMachineOptions(new ToyArchitecture());
        Assert.Equal([new MemoryRegion(new PhysAddr(0x4000_0000), 2UL << 30)], replaced.Ram);
    }
}

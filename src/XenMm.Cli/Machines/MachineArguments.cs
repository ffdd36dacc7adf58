using System.CommandLine;
using XenMm.Machine;

namespace XenMm.Cli.Machines;

/// <summary>
/// The options that describe a machine on the command line (<c>boot</c>, <c>run</c>): the architecture, RAM, reserved
/// regions, modules, a device-tree blob, Xen's command line, CPUs and profile. What is not given comes from the blob,
/// then from the architecture's default board.
/// </summary>
internal sealed class MachineArguments
{
    private readonly Option<string> _arch;
    private readonly Option<string[]> _ram = new("--ram") { Description = "A RAM bank START:SIZE (0x hex, decimal or 512MiB/2GiB); repeat for more banks.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _reserved = new("--reserved") { Description = "A reserved region START:SIZE; repeatable." };
    private readonly Option<string[]> _module = new("--module") { Description = "A boot module KIND:START:SIZE, KIND one of xen, dtb, kernel, ramdisk, xsm, other; repeatable." };
    private readonly Option<FileInfo> _dtb = new("--dtb") { Description = "A flattened device tree blob to read RAM, reserved regions, modules, CPUs and the command line from." };
    private readonly Option<string> _dtbAt = new("--dtb-at") { Description = "Where the blob was loaded (required with --dtb)." };
    private readonly Option<string> _cmdline = new("--cmdline") { Description = "Xen's command line (e.g. \"xenheap_megabytes=100\")." };
    private readonly Option<int?> _cpus = new("--cpus") { Description = "The number of CPUs." };
    private readonly Option<string> _profile = new("--profile") { Description = "current (default) or 2013 (Xen 4.3/4.4)." };

    /// <summary>The options; <paramref name="archRequired"/> false where a checkpoint may name the architecture instead.</summary>
    public MachineArguments(bool archRequired = true)
    {
        _arch = new("--arch") { Description = "The architecture: arm32 or arm64.", Required = archRequired };
    }

    /// <summary>The <c>--arch</c> option.</summary>
    public Option<string> Arch => _arch;

    /// <summary>True when any option that describes a machine was given.</summary>
    public bool AnyGiven(ParseResult parse) =>
        new Option[] { _arch, _ram, _reserved, _module, _dtb, _dtbAt, _cmdline, _cpus, _profile }.Any(o => parse.GetResult(o) is { Implicit: false });

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _arch, _ram, _reserved, _module, _dtb, _dtbAt, _cmdline, _cpus, _profile })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Builds the machine the arguments describe (not booted).</summary>
    /// <exception cref="XenMmException">A bad argument, a bad blob or bad options, named.</exception>
    /// <exception cref="IOException">The blob cannot be read.</exception>
    public XenMachine Create(ParseResult parse)
    {
        var arch = Architectures.Create(parse.GetValue(_arch));
        var options = Options(parse, arch);
        return new XenMachine(options, arch);
    }

    private MachineOptions Options(ParseResult parse, IArchitecture arch)
    {
        var rams = parse.GetValue(_ram) ?? [];
        var reserved = parse.GetValue(_reserved) ?? [];
        var modules = parse.GetValue(_module) ?? [];
        MachineOptions options;
        if (parse.GetValue(_dtb) is { } file)
        {
            var at = parse.GetValue(_dtbAt) ?? throw new XenMmException(MmError.InvalidArgument, "--dtb-at: required with --dtb (the blob's load address).");
            options = MachineOptions.FromDeviceTree(File.ReadAllBytes(file.FullName), new PhysAddr(ByteSize.Parse(at, "--dtb-at")));
        }
        else if (rams.Length == 0)
        {
            options = arch.DefaultBoard();
            if (modules.Length != 0)
            {
                options.Modules.Clear();
            }
        }
        else
        {
            options = new MachineOptions();
        }

        if (parse.GetValue(_dtbAt) is not null && parse.GetValue(_dtb) is null)
        {
            throw new XenMmException(MmError.InvalidArgument, "--dtb-at: given without --dtb.");
        }

        if (rams.Length != 0)
        {
            options.Ram = [.. rams.Select((r, i) => Region(r, $"--ram {r}"))];
        }

        options.Reserved.AddRange(reserved.Select(r => Region(r, $"--reserved {r}")));
        options.Modules.AddRange(modules.Select(Module));
        if (parse.GetValue(_cmdline) is { } cmdline)
        {
            options.CommandLine = cmdline;
        }

        if (parse.GetValue(_cpus) is { } cpus)
        {
            options.Cpus = cpus;
        }

        options.Profile = parse.GetValue(_profile) switch
        {
            null or "current" => XenProfile.Current,
            "2013" => XenProfile.Xen2013,
            var p => throw new XenMmException(MmError.InvalidArgument, $"--profile: '{p}' is neither current nor 2013."),
        };
        return options;
    }

    private static MemoryRegion Region(string text, string what)
    {
        var parts = text.Split(':');
        if (parts.Length != 2)
        {
            throw new XenMmException(MmError.InvalidArgument, $"{what}: expected START:SIZE.");
        }

        return new MemoryRegion(new PhysAddr(ByteSize.Parse(parts[0], what)), ByteSize.Parse(parts[1], what));
    }

    private static BootModule Module(string text)
    {
        var what = $"--module {text}";
        var parts = text.Split(':');
        if (parts.Length != 3)
        {
            throw new XenMmException(MmError.InvalidArgument, $"{what}: expected KIND:START:SIZE.");
        }

        var kind = parts[0] switch
        {
            "xen" => BootModuleKind.Xen,
            "dtb" => BootModuleKind.DeviceTree,
            "kernel" => BootModuleKind.Kernel,
            "ramdisk" => BootModuleKind.Ramdisk,
            "xsm" => BootModuleKind.XsmPolicy,
            "other" => BootModuleKind.Other,
            _ => throw new XenMmException(MmError.InvalidArgument, $"{what}: kind '{parts[0]}' is not one of xen, dtb, kernel, ramdisk, xsm, other."),
        };
        return new BootModule(kind, new PhysAddr(ByteSize.Parse(parts[1], what)), ByteSize.Parse(parts[2], what));
    }
}

using System.CommandLine;
using XenMm.Hosting;
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
    /// <exception cref="XenMmException">
    /// Bad arguments, a bad blob or bad options, named by option (<c>--ram 0x4000_0000:16MiB</c>), every one on one line.
    /// </exception>
    public XenMachine Create(ParseResult parse)
    {
        var arch = Architectures.Create(parse.GetValue(_arch));
        var rams = parse.GetValue(_ram) ?? [];
        var reserved = parse.GetValue(_reserved) ?? [];
        var modules = parse.GetValue(_module) ?? [];
        var settings = new XenMmOptions
        {
            Ram = [.. rams.Select(r => Region(r, "--ram"))],
            Reserved = [.. reserved.Select(r => Region(r, "--reserved"))],
            Modules = [.. modules.Select(Module)],
            DeviceTree = new XenMmDeviceTreeOptions { Path = parse.GetValue(_dtb)?.FullName, LoadAddress = parse.GetValue(_dtbAt) },
            CommandLine = parse.GetValue(_cmdline),
            Cpus = parse.GetValue(_cpus),
            Profile = parse.GetValue(_profile),
        };

        // The precedence (blob, then RAM, then the default board; modules replace the board's) and the parsing of
        // numbers, kinds and profiles are configuration's (XenMmOptions); only the names are the tool's.
        string Option(string key)
        {
            var parts = key.Split(':');
            string Given(string option, string[] values) =>
                parts.Length > 1 && int.TryParse(parts[1], out var i) && i < values.Length ? $"{option} {values[i]}" : option;
            return parts[0] switch
            {
                "Ram" => Given("--ram", rams),
                "Reserved" => Given("--reserved", reserved),
                "Modules" => Given("--module", modules),
                "DeviceTree" => parts.Length > 1 && parts[1] == "LoadAddress" ? "--dtb-at" : "--dtb",
                "Cpus" => "--cpus",
                "Profile" => "--profile",
                "CommandLine" => "--cmdline",
                _ => key,
            };
        }

        MachineOptions options;
        try
        {
            options = settings.ToMachineOptionsNamedBy(arch, Option);
        }
        catch (XenMmException e)
        {
            // Every bad option at once, on the one line the tool prints.
            throw new XenMmException(e.Error, e.Message.ReplaceLineEndings(" "));
        }

        return new XenMachine(options, arch);
    }

    private static XenMmRegionOptions Region(string text, string option)
    {
        var parts = text.Split(':');
        return parts.Length == 2
            ? new XenMmRegionOptions { Start = parts[0], Size = parts[1] }
            : throw new XenMmException(MmError.InvalidArgument, $"{option} {text}: expected START:SIZE.");
    }

    private static XenMmModuleOptions Module(string text)
    {
        var parts = text.Split(':');
        return parts.Length == 3
            ? new XenMmModuleOptions { Kind = parts[0], Start = parts[1], Size = parts[2] }
            : throw new XenMmException(MmError.InvalidArgument, $"--module {text}: expected KIND:START:SIZE.");
    }
}

using System.Text.RegularExpressions;
using XenMm.Machine;

namespace XenMm.Hosting;

public sealed partial class XenMmOptions
{
    /// <summary>
    /// The machine options these settings describe for <paramref name="architecture"/>, validated; messages name
    /// settings under <paramref name="sectionPath"/> (<c>XenMm:Ram:1:Size</c>).
    /// </summary>
    /// <param name="architecture">Gives the default board (when neither RAM nor a device tree is given) and the physical address width.</param>
    /// <param name="sectionPath">The configuration path the settings came from (<c>XenMm</c>); empty for none.</param>
    /// <exception cref="XenMmException">
    /// Every bad setting, named: <see cref="MmError.InvalidArgument"/> for text that is not a number, kind or profile,
    /// an unreadable device-tree file, or the codes of <see cref="MachineOptions.Validate"/> and
    /// <see cref="MachineOptions.FromDeviceTree"/>.
    /// </exception>
    public MachineOptions ToMachineOptions(IArchitecture architecture, string sectionPath = SectionName) =>
        ToMachineOptionsNamedBy(architecture, SettingNames.Under(sectionPath ?? string.Empty));

    /// <summary>
    /// The machine options these settings describe for <paramref name="architecture"/>, validated, with messages that
    /// name each setting as <paramref name="settingName"/> says: the one conversion behind configuration
    /// (<c>XenMm:Ram:1:Size</c>) and the <c>xenmm</c> tool's options (<c>--ram 0x4000_0000:16MiB</c>). What is given
    /// replaces what the device tree, or else the architecture's default board, describes; modules replace the board's.
    /// </summary>
    /// <param name="architecture">Gives the default board (when neither RAM nor a device tree is given) and the physical address width.</param>
    /// <param name="settingName">
    /// Names a setting from its key under the section: <c>Ram:1:Size</c>, <c>Ram:1</c> (the whole bank),
    /// <c>Reserved:0:Start</c>, <c>Modules:0:Kind</c>, <c>DeviceTree:Path</c>, <c>DeviceTree:LoadAddress</c>,
    /// <c>Cpus</c>, <c>Profile</c>, <c>CommandLine</c>.
    /// </param>
    /// <exception cref="XenMmException">Every bad setting, named, one a line (codes as for <see cref="ToMachineOptions"/>).</exception>
    public MachineOptions ToMachineOptionsNamedBy(IArchitecture architecture, Func<string, string> settingName)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(settingName);
        var errors = new List<SettingError>();
        var options = Convert(architecture, new SettingNames(settingName), errors);
        return errors.Count == 0
            ? options!
            : throw new XenMmException(errors[0].Code, string.Join(Environment.NewLine, errors.Select(e => e.Message)));
    }

    /// <summary>
    /// Builds the machine options, collecting every bad setting into <paramref name="errors"/> named under
    /// <paramref name="path"/>; null when the settings could not be read. Without an architecture, the default board
    /// is not available and the whole-machine checks are skipped.
    /// </summary>
    internal MachineOptions? Convert(IArchitecture? architecture, string path, List<SettingError> errors) =>
        Convert(architecture, new SettingNames(SettingNames.Under(path)), errors);

    private MachineOptions? Convert(IArchitecture? architecture, SettingNames names, List<SettingError> errors)
    {
        var ram = Regions(Ram, "Ram", names, errors);
        var reserved = Regions(Reserved, "Reserved", names, errors);
        var modules = ModuleList(names, errors);
        var profile = ParseProfile(names, errors);
        var fromTree = ReadDeviceTree(names, errors);
        if (errors.Count != 0)
        {
            return null;
        }

        MachineOptions options;
        var source = MachineSource.Settings;
        if (fromTree is not null)
        {
            options = fromTree;
            source = MachineSource.DeviceTree;
        }
        else if (ram.Count == 0 && architecture is not null)
        {
            options = architecture.DefaultBoard();
            source = MachineSource.DefaultBoard;
            if (modules.Count != 0)
            {
                options.Modules.Clear();
            }
        }
        else
        {
            options = new MachineOptions();
        }

        var inherited = (Ram: ram.Count == 0 ? options.Ram.Count : 0, Reserved: options.Reserved.Count, Modules: options.Modules.Count);
        if (ram.Count != 0)
        {
            options.Ram = ram;
        }

        options.Reserved.AddRange(reserved);
        options.Modules.AddRange(modules);
        options.CommandLine = CommandLine ?? options.CommandLine;
        options.Cpus = Cpus ?? options.Cpus;
        options.Profile = profile ?? options.Profile;
        if (architecture is not null)
        {
            try
            {
                options.Validate(architecture.PaddrBits);
            }
            catch (XenMmException e)
            {
                errors.Add(new SettingError(e.Error, names.Translate(e.Message, source, inherited, architecture.Name)));
            }
        }

        return errors.Count == 0 ? options : null;
    }

    private static List<MemoryRegion> Regions(List<XenMmRegionOptions>? list, string key, SettingNames names, List<SettingError> errors)
    {
        var result = new List<MemoryRegion>();
        for (var i = 0; list is not null && i < list.Count; i++)
        {
            var at = $"{key}:{i}";
            var start = Number(list[i]?.Start, names[$"{at}:Start"], errors);
            var size = Size(list[i]?.Size, names[$"{at}:Size"], errors);
            if (start is { } s && size is { } n)
            {
                result.Add(new MemoryRegion(new PhysAddr(s), n));
            }
        }

        return result;
    }

    private List<BootModule> ModuleList(SettingNames names, List<SettingError> errors)
    {
        var result = new List<BootModule>();
        for (var i = 0; Modules is not null && i < Modules.Count; i++)
        {
            var m = Modules[i];
            var at = $"Modules:{i}";
            var kind = ParseKind(m?.Kind, names[$"{at}:Kind"], errors);
            var start = Number(m?.Start, names[$"{at}:Start"], errors);
            var size = Size(m?.Size, names[$"{at}:Size"], errors);
            if (kind is { } k && start is { } s && size is { } n)
            {
                result.Add(new BootModule(k, new PhysAddr(s), n));
            }
        }

        return result;
    }

    private MachineOptions? ReadDeviceTree(SettingNames names, List<SettingError> errors)
    {
        var file = DeviceTree?.Path;
        var at = DeviceTree?.LoadAddress;
        if (string.IsNullOrWhiteSpace(file))
        {
            if (at is not null)
            {
                errors.Add(new SettingError(MmError.InvalidArgument, $"{names["DeviceTree:LoadAddress"]}: given without {names["DeviceTree:Path"]}."));
            }

            return null;
        }

        if (at is null)
        {
            errors.Add(new SettingError(MmError.InvalidArgument, $"{names["DeviceTree:LoadAddress"]}: required with {names["DeviceTree:Path"]} (where the boot loader put the blob)."));
            return null;
        }

        if (Number(at, names["DeviceTree:LoadAddress"], errors) is not { } loadAddress)
        {
            return null;
        }

        byte[] blob;
        try
        {
            blob = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors.Add(new SettingError(MmError.InvalidArgument, $"{names["DeviceTree:Path"]}: cannot read '{file}': {e.Message}"));
            return null;
        }

        try
        {
            return MachineOptions.FromDeviceTree(blob, new PhysAddr(loadAddress));
        }
        catch (XenMmException e)
        {
            errors.Add(new SettingError(e.Error, $"{names["DeviceTree:Path"]}: '{file}': {e.Message}"));
            return null;
        }
    }

    private XenProfile? ParseProfile(SettingNames names, List<SettingError> errors)
    {
        switch (Profile?.Trim().ToLowerInvariant())
        {
            case null or "":
                return null;
            case "current":
                return XenProfile.Current;
            case "2013" or "xen2013":
                return XenProfile.Xen2013;
            default:
                errors.Add(new SettingError(MmError.InvalidArgument, $"{names["Profile"]}: '{Profile}' is neither current nor 2013."));
                return null;
        }
    }

    private static BootModuleKind? ParseKind(string? text, string name, List<SettingError> errors)
    {
        BootModuleKind? kind = text?.Trim().ToLowerInvariant() switch
        {
            "xen" => BootModuleKind.Xen,
            "dtb" or "devicetree" => BootModuleKind.DeviceTree,
            "kernel" => BootModuleKind.Kernel,
            "ramdisk" => BootModuleKind.Ramdisk,
            "xsm" or "xsmpolicy" => BootModuleKind.XsmPolicy,
            "other" => BootModuleKind.Other,
            "guestdevicetree" => BootModuleKind.GuestDeviceTree,
            "microcode" => BootModuleKind.Microcode,
            _ => null,
        };
        if (kind is null)
        {
            var what = text is null ? "missing" : $"'{text}' is not";
            errors.Add(new SettingError(MmError.InvalidArgument, $"{name}: {what} one of xen, dtb, kernel, ramdisk, xsm, other (or a BootModuleKind name)."));
        }

        return kind;
    }

    private static ulong? Size(string? text, string name, List<SettingError> errors)
    {
        var size = Number(text, name, errors);
        if (size == 0)
        {
            errors.Add(new SettingError(MmError.InvalidArgument, $"{name}: 0; a region holds at least one byte."));
            return null;
        }

        return size;
    }

    private static ulong? Number(string? text, string name, List<SettingError> errors)
    {
        if (text is null)
        {
            errors.Add(new SettingError(MmError.InvalidArgument, $"{name}: missing."));
            return null;
        }

        if (!ByteSize.TryParse(text, out var value))
        {
            errors.Add(new SettingError(MmError.InvalidArgument, $"{name}: '{text}' is not a number (decimal, 0x hex, or a size such as 512MiB)."));
            return null;
        }

        return value;
    }

    private enum MachineSource
    {
        Settings,
        DeviceTree,
        DefaultBoard,
    }

    /// <summary>Settings' names (a configuration path's keys, the tool's options), and <see cref="MachineOptions.Validate"/>'s names translated to them.</summary>
    private readonly partial struct SettingNames(Func<string, string> name)
    {
        public string this[string key] => name(key);

        public static Func<string, string> Under(string path) => key => path.Length == 0 ? key : $"{path}:{key}";

        // MachineOptions.Validate names list entries as Ram[1], Modules[0], ...; the lists hold what the device tree or
        // the default board gave first, then the settings.
        public string Translate(string message, MachineSource source, (int Ram, int Reserved, int Modules) inherited, string architecture)
        {
            var self = this;
            message = Indexed().Replace(message, m =>
            {
                var list = m.Groups["list"].Value;
                var i = int.Parse(m.Groups["i"].Value, System.Globalization.CultureInfo.InvariantCulture);
                var fromBase = list switch { "Ram" => inherited.Ram, "Reserved" => inherited.Reserved, _ => inherited.Modules };
                return i >= fromBase
                    ? self[$"{list}:{i - fromBase}"]
                    : source == MachineSource.DeviceTree
                        ? $"{self["DeviceTree:Path"]} ({list}[{i}] from the blob)"
                        : $"{list}[{i}] of {architecture}'s default board";
            });
            return Unindexed().Replace(message, m => self[m.Groups["key"].Value] + ":");
        }

        [GeneratedRegex(@"\b(?<list>Ram|Reserved|Modules)\[(?<i>\d+)\]")]
        private static partial Regex Indexed();

        [GeneratedRegex(@"^(?<key>Ram|Reserved|Modules|Cpus|Profile|CommandLine):")]
        private static partial Regex Unindexed();
    }
}

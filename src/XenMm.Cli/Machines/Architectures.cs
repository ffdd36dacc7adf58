using XenMm.Arm64.Machine;
using XenMm.Machine;

namespace XenMm.Cli.Machines;

/// <summary>The architectures the tool can boot, by the name <c>--arch</c> takes.</summary>
internal static class Architectures
{
    private static readonly Dictionary<string, Func<IArchitecture>> Known = new(StringComparer.Ordinal)
    {
        ["arm32"] = () => new XenMm.Arm32.Machine.Arm32Architecture(),
        ["arm64"] = () => new Arm64Architecture(),
    };

    public static IEnumerable<string> Names => Known.Keys.Order(StringComparer.Ordinal);

    public static IArchitecture Create(string? name) => name is not null && Known.TryGetValue(name, out var make)
        ? make()
        : throw new XenMmException(MmError.InvalidArgument, $"--arch: '{name}' is not an architecture ({string.Join(", ", Names)}).");
}

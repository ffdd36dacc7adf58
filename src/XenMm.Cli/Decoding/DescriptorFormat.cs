using System.Globalization;
using XenMm.Arm32;
using XenMm.Arm64;
using XenMm.PageTables;

namespace XenMm.Cli.Decoding;

/// <summary>
/// A descriptor format the tool can decode: its generated field table and the levels it lives at. Decoding
/// reads only the field table, so a new generated descriptor is one more row in <see cref="All"/>.
/// </summary>
internal sealed record DescriptorFormat(string Name, string Title, int RootLevel, PteField[] Fields)
{
    public static readonly DescriptorFormat[] All =
    [
        Of<LpaeEntry>("lpae", "Xen lpae_pt_t, LPAE stage 1 (arm32 EL2)", rootLevel: 1),
        Of<LpaeP2mEntry>("lpae-p2m", "Xen lpae_p2m_t, LPAE stage 2", rootLevel: 1),
        Of<Vmsa64Entry>("vmsa64", "VMSAv8-64 stage 1 (arm64 EL2)", rootLevel: 0),
        Of<Vmsa64S2Entry>("vmsa64-s2", "VMSAv8-64 stage 2", rootLevel: 0),
    ];

    public static string Names => string.Join(", ", All.Select(f => f.Name));

    public static DescriptorFormat? Find(string? name) => All.FirstOrDefault(f => f.Name == name);

    /// <summary>One line per field: name, bit range, value (enums by name, addresses in hex).</summary>
    public IEnumerable<string> DescribeFields(ulong raw)
    {
        var nameWidth = Fields.Max(f => f.Name.Length) + 2;
        var bitsWidth = Fields.Max(f => BitsLabel(f).Length) + 2;
        return Fields.Select(f => $"  {f.Name.PadRight(nameWidth)}{BitsLabel(f).PadRight(bitsWidth)}{Value(f, raw)}");
    }

    /// <summary>The kind at every level this format lives at: <c>level 1: block, level 2: block, level 3: reserved</c>.</summary>
    public string DescribeKinds(ulong raw) =>
        string.Join(", ", Enumerable.Range(RootLevel, Lpae.PageLevel - RootLevel + 1)
            .Select(level => $"level {level}: {Lpae.Classify(raw, level).ToString().ToLowerInvariant()}"));

    private static DescriptorFormat Of<T>(string name, string title, int rootLevel)
        where T : struct, IPageTableEntry<T> => new(name, title, rootLevel, T.Fields.ToArray());

    private static string BitsLabel(PteField field) => (field.Msb == field.Lsb ? "bit " : "bits ") + field.Bits;

    private static string Value(PteField field, ulong raw)
    {
        var value = field.Extract(raw);
        return field.Kind switch
        {
            PteFieldKind.Address => Hex(value),
            PteFieldKind.Reserved => value == 0 ? "0" : $"{Hex(value)} (should be zero)",
            PteFieldKind.Enum when Enum.GetName(field.EnumType!, Enum.ToObject(field.EnumType!, value)) is { } name => $"{value} ({name})",
            _ => value.ToString(CultureInfo.InvariantCulture),
        };
    }

    public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);
}

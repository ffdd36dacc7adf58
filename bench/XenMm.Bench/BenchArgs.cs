namespace XenMm.Bench;

/// <summary>Workload names and the native runner's <c>key=value</c> parameters (seed=, base=, pages=, ops=).</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, ulong> _values = new(StringComparer.Ordinal);

    public List<string> Workloads { get; } = [];

    public bool Check { get; private set; }

    public ulong Get(string key, ulong fallback) => _values.TryGetValue(key, out var v) ? v : fallback;

    public static BenchArgs Parse(string[] args)
    {
        var result = new BenchArgs();
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=');
            if (arg == "--check")
            {
                result.Check = true;
            }
            else if (eq > 0)
            {
                result._values[arg[..eq]] = ParseNumber(arg[(eq + 1)..]);
            }
            else
            {
                result.Workloads.Add(arg);
            }
        }

        return result;
    }

    // strtoull(..., 0) semantics, as the native runner: 0x for hex, otherwise decimal.
    private static ulong ParseNumber(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? Convert.ToUInt64(text[2..], 16)
            : ulong.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}

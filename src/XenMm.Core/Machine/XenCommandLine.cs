namespace XenMm.Machine;

/// <summary>
/// Xen's command line, parsed as <c>cmdline_parse</c> / <c>parse_params</c> (common/kernel.c) parses it, keeping the
/// options that shape memory: <c>xenheap_megabytes=</c> (arm32 <c>integer_param</c>), <c>bootscrub</c>
/// (<c>custom_param</c>) and <c>badpage=</c> (<c>string_param</c>, applied by <c>init_boot_pages</c>). Every other
/// option is ignored, as options of other subsystems are by the memory code.
/// </summary>
/// <remarks>
/// Xen's rules reproduced: options are separated by spaces only; an option longer than 127 characters is cut
/// (<c>MAX_PARAM_SIZE</c>); <c>key=value</c> splits at the first <c>=</c>; a <c>no-</c> prefix inverts booleans;
/// the last occurrence wins; a bad value prints Xen's "has invalid value" line and, for integers, the number read
/// so far is still stored, as <c>assign_integer_param</c> runs before the trailing-text check.
/// </remarks>
public sealed class XenCommandLine
{
    private const int MaxParamSize = 128; // Xen: MAX_PARAM_SIZE, the buffer including its NUL
    private const int EInval = -22;
    private const int EOverflow = -75;

    private readonly List<string> _messages = [];

    private XenCommandLine(string text)
    {
        Text = text;
    }

    /// <summary>The command line as given (what Xen prints after "Command line: ").</summary>
    public string Text { get; }

    /// <summary><c>xenheap_megabytes=</c>: 0 when not given (Xen's <c>opt_xenheap_megabytes</c> default).</summary>
    public ulong XenheapMegabytes { get; private set; }

    /// <summary><c>bootscrub=</c>.</summary>
    public BootScrubMode BootScrub { get; private set; } = BootScrubMode.Idle;

    /// <summary><c>badpage=</c>: Xen's <c>opt_badpage</c> string, a comma-separated list of MFNs and MFN ranges.</summary>
    public string BadPage { get; private set; } = string.Empty;

    /// <summary>The lines Xen prints while parsing (bad values), in order.</summary>
    public IReadOnlyList<string> Messages => _messages;

    /// <summary>Parses <paramref name="text"/> for a machine whose <c>unsigned long</c> is <paramref name="bitsPerLong"/> bits.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for a width other than 32 or 64.</exception>
    public static XenCommandLine Parse(string? text, int bitsPerLong = 64)
    {
        if (bitsPerLong is not (32 or 64))
        {
            throw new XenMmException(MmError.InvalidArgument, $"unsigned long width {bitsPerLong} is neither 32 nor 64.");
        }

        var line = new XenCommandLine(text ?? string.Empty);
        var p = line.Text;
        var i = 0;
        while (true)
        {
            while (i < p.Length && p[i] == ' ')
            {
                i++;
            }

            if (i >= p.Length)
            {
                break;
            }

            var start = i;
            while (i < p.Length && p[i] != ' ')
            {
                i++;
            }

            var opt = p[start..i];
            if (opt.Length > MaxParamSize - 1)
            {
                opt = opt[..(MaxParamSize - 1)];
            }

            line.Apply(opt, bitsPerLong);
        }

        return line;
    }

    private void Apply(string opt, int bitsPerLong)
    {
        var eq = opt.IndexOf('=', StringComparison.Ordinal);
        var key = eq < 0 ? opt : opt[..eq];
        var value = eq < 0 ? string.Empty : opt[(eq + 1)..];
        var positive = !key.StartsWith("no-", StringComparison.Ordinal);
        var name = positive ? key : key[3..];
        var rc = name switch
        {
            "xenheap_megabytes" => ParseInteger(value, bitsPerLong),
            "bootscrub" => ParseBootScrub(positive, value),
            "badpage" => SetBadPage(value),
            _ => 0,
        };
        if (rc != 0)
        {
            _messages.Add($"parameter \"{key}\" has invalid value \"{value}\", rc={rc}!");
        }
    }

    // Xen: OPT_UINT, simple_strtoll then assign_integer_param(len = sizeof(unsigned long)).
    private int ParseInteger(string value, int bitsPerLong)
    {
        var pos = 0;
        var v = XenNumber.StrToLl(value, ref pos);
        if (bitsPerLong == 32 && v > uint.MaxValue && v < unchecked((ulong)int.MinValue))
        {
            return EOverflow;
        }

        XenheapMegabytes = bitsPerLong == 32 ? (uint)v : v;
        return pos < value.Length ? EInval : 0;
    }

    // Xen: parse_bootscrub_param, with parse_params' handling of a "no-" prefix on custom parameters.
    private int ParseBootScrub(bool positive, string value)
    {
        if (!positive)
        {
            if (value.Length != 0)
            {
                return EInval;
            }

            value = "no";
        }

        if (value.Length == 0)
        {
            BootScrub = BootScrubMode.On;
            return 0;
        }

        switch (ParseBool(value))
        {
            case 0:
                BootScrub = BootScrubMode.Off;
                return 0;
            case 1:
                BootScrub = BootScrubMode.On;
                return 0;
            default:
                if (value == "idle")
                {
                    BootScrub = BootScrubMode.Idle;
                    return 0;
                }

                return EInval;
        }
    }

    private int SetBadPage(string value)
    {
        // Xen: OPT_STR copies into opt_badpage[100] with strlcpy.
        BadPage = value.Length > 99 ? value[..99] : value;
        return 0;
    }

    // Xen: parse_bool (common/kernel.c).
    internal static int ParseBool(string s) => s switch
    {
        "no" or "off" or "false" or "disable" or "0" => 0,
        "yes" or "on" or "true" or "enable" or "1" => 1,
        _ => -1,
    };

    /// <summary>
    /// The MFN ranges <c>[start, end)</c> that <c>badpage=</c> removes, in the order <c>init_boot_pages</c> zaps them:
    /// numbers in any C base, <c>a-b</c> inclusive (b below a means a alone), separated by commas; parsing stops at
    /// the first other character, as Xen's loop does.
    /// </summary>
    public IReadOnlyList<(ulong Start, ulong End)> BadPageRanges()
    {
        var list = new List<(ulong, ulong)>();
        var p = BadPage;
        var i = 0;
        while (i < p.Length)
        {
            var s = XenNumber.StrToUll(p, ref i);
            var e = s;
            if (i < p.Length && p[i] == '-')
            {
                i++;
                e = XenNumber.StrToUll(p, ref i);
                if (e < s)
                {
                    e = s;
                }
            }

            if (i < p.Length && p[i] == ',')
            {
                i++;
            }
            else if (i < p.Length)
            {
                break;
            }

            list.Add((s, e == ulong.MaxValue ? e : e + 1));
        }

        return list;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}

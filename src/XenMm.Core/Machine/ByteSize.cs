using System.Globalization;

namespace XenMm.Machine;

/// <summary>
/// Addresses and sizes as people write them in options and configuration: decimal (<c>1073741824</c>), hex with
/// <c>0x</c> and optional <c>_</c> separators (<c>0x4000_0000</c>), or a number with a binary unit (<c>512MiB</c>,
/// <c>2GiB</c>, <c>64K</c>, <c>1T</c>; K/M/G/T and KiB/MiB/GiB/TiB are powers of 1024).
/// </summary>
public static class ByteSize
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a number, has an unknown unit, or overflows 64 bits.</summary>
    public static bool TryParse(string? text, out ulong value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().Replace("_", string.Empty, StringComparison.Ordinal);
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return s.Length > 2 && ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        var digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }

        if (digits == 0 || !ulong.TryParse(s.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        int shift;
        switch (s[digits..].ToUpperInvariant())
        {
            case "" or "B": shift = 0; break;
            case "K" or "KIB": shift = 10; break;
            case "M" or "MIB": shift = 20; break;
            case "G" or "GIB": shift = 30; break;
            case "T" or "TIB": shift = 40; break;
            default: return false;
        }

        if (shift != 0 && number > ulong.MaxValue >> shift)
        {
            return false;
        }

        value = number << shift;
        return true;
    }

    /// <summary>Parses <paramref name="text"/> or throws naming <paramref name="what"/>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> with the setting's name and the text.</exception>
    public static ulong Parse(string? text, string what) => TryParse(text, out var v)
        ? v
        : throw new XenMmException(MmError.InvalidArgument, $"{what}: '{text}' is not a number (decimal, 0x hex, or with a unit such as 512MiB).");

    /// <summary>A size as a person reads it: <c>1 GiB</c>, <c>8 MiB</c>, <c>12 KiB</c>, or bytes when it is no whole unit.</summary>
    public static string Format(ulong bytes) => bytes switch
    {
        0 => "0 B",
        _ when bytes % (1UL << 40) == 0 => $"{bytes >> 40} TiB",
        _ when bytes % (1UL << 30) == 0 => $"{bytes >> 30} GiB",
        _ when bytes % (1UL << 20) == 0 => $"{bytes >> 20} MiB",
        _ when bytes % (1UL << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} B",
    };
}

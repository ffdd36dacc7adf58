using System.Globalization;

namespace XenMm;

/// <summary>
/// Hex formatting and parsing shared by the address types. Accepts what people paste from Xen logs
/// and the Arm manuals: an optional <c>0x</c>, and <c>_</c> digit separators (<c>0x8000_0000</c>).
/// </summary>
internal static class Hex
{
    public static string Format(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    public static bool TryFormat(ulong value, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        if (destination.Length < 3)
        {
            return false;
        }

        destination[0] = '0';
        destination[1] = 'x';
        if (!value.TryFormat(destination[2..], out var digits, "X", CultureInfo.InvariantCulture))
        {
            return false;
        }

        charsWritten = digits + 2;
        return true;
    }

    /// <summary>Parses hex, with or without <c>0x</c> and with <c>_</c> separators between digits; the value must fit 64 bits.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        var digits = 0;
        foreach (var c in text)
        {
            if (c == '_')
            {
                continue;
            }

            int nibble = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => -1,
            };
            if (nibble < 0 || (value >> 60) != 0)
            {
                value = 0;
                return false;
            }

            value = (value << 4) | (uint)nibble;
            digits++;
        }

        if (digits == 0 || text[0] == '_' || text[^1] == '_')
        {
            value = 0;
            return false;
        }

        return true;
    }

    public static ulong Parse(string text, string typeName)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out var value))
        {
            throw new FormatException($"'{text}' is not a hexadecimal {typeName} (examples: 0x80000000, 0x8000_0000, 80000000).");
        }

        return value;
    }
}

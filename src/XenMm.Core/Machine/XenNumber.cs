namespace XenMm.Machine;

/// <summary>Xen's <c>simple_strtoull</c> with base 0: <c>0x</c> hex, a leading <c>0</c> octal, decimal otherwise.</summary>
internal static class XenNumber
{
    /// <summary>Parses an unsigned number at <paramref name="pos"/>, advancing past it; wraps on overflow as the C code does.</summary>
    public static ulong StrToUll(string s, ref int pos)
    {
        ulong value = 0;
        var radix = 10u;
        if (pos < s.Length && s[pos] == '0')
        {
            radix = 8;
            if (pos + 2 < s.Length && (s[pos + 1] | 0x20) == 'x' && Uri.IsHexDigit(s[pos + 2]))
            {
                radix = 16;
                pos += 2;
            }
        }

        while (pos < s.Length)
        {
            var c = s[pos];
            uint digit = c is >= '0' and <= '9' ? (uint)(c - '0') : (c | 0x20) is >= 'a' and <= 'f' ? (uint)((c | 0x20) - 'a' + 10) : 99;
            if (digit >= radix)
            {
                break;
            }

            value = unchecked((value * radix) + digit);
            pos++;
        }

        return value;
    }

    /// <summary>Xen's <c>simple_strtoll</c>: an optional <c>-</c>, then <see cref="StrToUll"/>.</summary>
    public static ulong StrToLl(string s, ref int pos)
    {
        if (pos < s.Length && s[pos] == '-')
        {
            pos++;
            return unchecked(0 - StrToUll(s, ref pos));
        }

        return StrToUll(s, ref pos);
    }
}

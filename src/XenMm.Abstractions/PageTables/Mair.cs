namespace XenMm.PageTables;

/// <summary>The MAIR value Xen programs at EL2 (<c>MAIR0VAL</c>/<c>MAIR1VAL</c>, the same in 2013 and now).</summary>
public static class Mair
{
    /// <summary>Xen's <c>MAIR0VAL</c>: attribute bytes of indexes 3..0.</summary>
    public const uint Mair0Value = 0xEEAA4400;

    /// <summary>Xen's <c>MAIR1VAL</c>: attribute bytes of indexes 7..4.</summary>
    public const uint Mair1Value = 0xFF000004;

    /// <summary>Xen's <c>MAIRVAL</c> (MAIR_EL2 on arm64, MAIR1:MAIR0 on arm32): 0xFF000004_EEAA4400.</summary>
    public const ulong Value = ((ulong)Mair1Value << 32) | Mair0Value;

    /// <summary>The MAIR attribute byte of <paramref name="index"/>, e.g. 0xFF for <see cref="MairIndex.MT_NORMAL"/>.</summary>
    public static byte AttributeOf(MairIndex index) => (byte)(Value >> (8 * ((int)index & 7)));
}

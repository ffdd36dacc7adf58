namespace XenMm.DeviceTree;

/// <summary>Constants of the flattened device tree format (devicetree specification v0.4, chapter 5).</summary>
internal static class FdtFormat
{
    public const uint Magic = 0xD00D_FEED;

    public const uint BeginNode = 1;
    public const uint EndNode = 2;
    public const uint Prop = 3;
    public const uint Nop = 4;
    public const uint End = 9;

    /// <summary>Header of a version 17 blob: ten big-endian 32-bit fields.</summary>
    public const int HeaderSizeV17 = 40;

    /// <summary>Version 16 has no <c>size_dt_struct</c>.</summary>
    public const int HeaderSizeV16 = 36;

    /// <summary>The oldest layout read here: names are leaf names and properties are not realigned from v16 on.</summary>
    public const uint OldestReadVersion = 16;

    /// <summary>libfdt's <c>FDT_LAST_SUPPORTED_VERSION</c>.</summary>
    public const uint LastSupportedVersion = 17;

    public const int MemReserveEntrySize = 16;

    // Byte offsets of the header fields.
    public const int OffTotalSize = 4;
    public const int OffDtStruct = 8;
    public const int OffDtStrings = 12;
    public const int OffMemRsvmap = 16;
    public const int OffVersion = 20;
    public const int OffLastCompVersion = 24;
    public const int OffBootCpuidPhys = 28;
    public const int OffSizeDtStrings = 32;
    public const int OffSizeDtStruct = 36;

    /// <summary>Rounds up to the next token; saturates at int.MaxValue so a position never wraps negative.</summary>
    public static int Align4(int offset) => (int)Math.Min(((long)offset + 3) & ~3L, int.MaxValue);
}

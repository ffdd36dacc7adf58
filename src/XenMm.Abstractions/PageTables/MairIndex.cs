namespace XenMm.PageTables;

/// <summary>
/// The AttrIndx field of a stage-1 descriptor: an index into MAIR as Xen programs it (<c>asm/page.h</c>).
/// Indexes 5 and 6 are unused. <see cref="Mair"/> gives each index's attribute byte.
/// </summary>
public enum MairIndex : byte
{
    /// <summary>Device-nGnRnE, strongly ordered (2013: <c>UNCACHED</c>). MAIR byte 0x00.</summary>
    MT_DEVICE_nGnRnE = 0,

    /// <summary>Normal non-cacheable (2013: <c>BUFFERABLE</c>). MAIR byte 0x44.</summary>
    MT_NORMAL_NC = 1,

    /// <summary>Normal write-through (2013: <c>WRITETHROUGH</c>). MAIR byte 0xAA.</summary>
    MT_NORMAL_WT = 2,

    /// <summary>Normal write-back (2013: <c>WRITEBACK</c>). MAIR byte 0xEE.</summary>
    MT_NORMAL_WB = 3,

    /// <summary>Device-nGnRE (2013: <c>DEV_SHARED</c>). MAIR byte 0x04.</summary>
    MT_DEVICE_nGnRE = 4,

    /// <summary>Normal write-back write-allocate, Xen's default (2013: <c>WRITEALLOC</c>). MAIR byte 0xFF.</summary>
    MT_NORMAL = 7,
}

namespace XenMm.PageTables;

/// <summary>What a mapping allows at EL2, after Xen's SCTLR_EL2.WXN (writable implies execute-never).</summary>
[Flags]
public enum AccessPermissions
{
    /// <summary>Nothing (a fault).</summary>
    None = 0,

    /// <summary>Loads.</summary>
    Read = 1,

    /// <summary>Stores (AP[2] clear).</summary>
    Write = 2,

    /// <summary>Instruction fetches (XN clear and, because Xen sets WXN, read-only).</summary>
    Execute = 4,
}

namespace XenMm.PageTables;

/// <summary>Why a translation failed, as the Arm MMU reports it in the fault status code.</summary>
public enum FaultKind
{
    /// <summary>No fault: the translation succeeded.</summary>
    None = 0,

    /// <summary>An invalid or reserved descriptor, or an address outside the input range.</summary>
    Translation,

    /// <summary>The leaf has AF clear (Xen never uses hardware access-flag management, so it sets AF on every entry).</summary>
    AccessFlag,

    /// <summary>The access is not allowed by the leaf's permissions.</summary>
    Permission,

    /// <summary>A table walk read outside the memory that holds bytes (a foreign image's table pointing elsewhere).</summary>
    ExternalAbort,
}

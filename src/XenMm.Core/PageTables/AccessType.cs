namespace XenMm.PageTables;

/// <summary>The kind of access a translation is checked for.</summary>
public enum AccessType
{
    /// <summary>A load.</summary>
    Read = 0,

    /// <summary>A store.</summary>
    Write,

    /// <summary>An instruction fetch.</summary>
    Execute,
}

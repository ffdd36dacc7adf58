namespace XenMm.PageTables;

/// <summary>The SH[1:0] field of a long descriptor (Xen: <c>LPAE_SH_*</c>). The value 1 is reserved.</summary>
public enum Shareability : byte
{
    /// <summary>Non-shareable (Xen: <c>LPAE_SH_NON_SHAREABLE</c>).</summary>
    NonShareable = 0,

    /// <summary>Outer shareable (Xen: <c>LPAE_SH_OUTER</c>), used for device and non-cacheable memory.</summary>
    Outer = 2,

    /// <summary>Inner shareable (Xen: <c>LPAE_SH_INNER</c>), used for normal cacheable memory.</summary>
    Inner = 3,
}

namespace XenMm.Hosting;

/// <summary>A physical range in configuration: a RAM bank or a reserved region.</summary>
public sealed class XenMmRegionOptions
{
    /// <summary>First byte: decimal, <c>0x</c> hex, or a size such as <c>1GiB</c>.</summary>
    public string? Start { get; set; }

    /// <summary>Size in bytes: decimal, <c>0x</c> hex, or a size such as <c>512MiB</c>.</summary>
    public string? Size { get; set; }
}

namespace XenMm.PageTables;

/// <summary>One TLB maintenance step recorded by <see cref="XenMappings{TFormat}"/>: what Xen would have done.</summary>
/// <param name="Operation">The barrier or flush.</param>
/// <param name="Start">The first VA of the update.</param>
/// <param name="Size">The size of the update in bytes (the range flushed for <see cref="TlbOperation.FlushRange"/>).</param>
public readonly record struct TlbMaintenance(TlbOperation Operation, VirtAddr Start, ulong Size);

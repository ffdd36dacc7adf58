namespace XenMm.Audit;

/// <summary>One broken invariant found by <see cref="HeapAudit"/>.</summary>
/// <param name="Check">The check's name, starting with the number of the invariant in xen-mm.md §10 (e.g. <c>"5 chunk-zone"</c>).</param>
/// <param name="Mfn">The frame involved, when there is one.</param>
/// <param name="Detail">What was found.</param>
public sealed record AuditViolation(string Check, Mfn? Mfn, string Detail)
{
    /// <inheritdoc />
    public override string ToString() => Mfn is { } m ? $"[{Check}] {m}: {Detail}" : $"[{Check}] {Detail}";
}

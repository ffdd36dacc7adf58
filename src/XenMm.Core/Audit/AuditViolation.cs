namespace XenMm.Audit;

/// <summary>One broken invariant found by <see cref="HeapAudit"/>.</summary>
/// <param name="Check">The check's name, starting with the number of the invariant in xen-mm.md §10 (e.g. <c>"5 chunk-zone"</c>).</param>
/// <param name="Mfn">The frame involved, when there is one.</param>
/// <param name="Detail">What was found.</param>
public sealed record AuditViolation(string Check, Mfn? Mfn, string Detail)
{
    /// <summary>
    /// True when the finding is what the modelled Xen itself does in the heap's profile rather than corruption:
    /// in the 2013 profile, Xen 4.4's merge across zones leaves chunks on another zone's list than their pages'
    /// zone, and <c>avail[zone]</c> unequal to that zone's lists (docs/fidelity.md). Reported by
    /// <see cref="HeapAudit.RunAll"/> only.
    /// </summary>
    public bool IsQuirk { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        string check = IsQuirk ? $"quirk {Check}" : Check;
        return Mfn is { } m ? $"[{check}] {m}: {Detail}" : $"[{check}] {Detail}";
    }
}

using XenMm.Audit;

namespace XenMm.Machine;

/// <summary>A part of a machine with invariants of its own that <see cref="XenMachine.Audit"/> should check.</summary>
public interface IAuditable
{
    /// <summary>Appends every violated invariant to <paramref name="violations"/>; thread-safe.</summary>
    void Audit(List<AuditViolation> violations);
}

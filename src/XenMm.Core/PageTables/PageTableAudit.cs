namespace XenMm.PageTables;

/// <summary>What <c>PageTables&lt;TFormat&gt;.Audit</c> found: table pages reachable from the root against those the engine took.</summary>
/// <param name="ReachableTables">Table pages reachable from the root, the root included.</param>
/// <param name="OwnedTables">Table pages the engine allocated and has not given back, the root included.</param>
/// <param name="Problems">One line per broken invariant: a table with no parent (leaked), a table linked twice, a reserved descriptor, a link to a page the engine does not own.</param>
public sealed record PageTableAudit(int ReachableTables, int OwnedTables, IReadOnlyList<string> Problems)
{
    /// <summary>True when nothing is wrong.</summary>
    public bool IsClean => Problems.Count == 0;
}

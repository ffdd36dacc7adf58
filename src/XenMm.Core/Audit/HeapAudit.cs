using System.Numerics;
using XenMm.Domains;
using XenMm.Frames;
using XenMm.Heap;

namespace XenMm.Audit;

/// <summary>
/// Named checks of the xen-mm.md §10 invariants that concern the heap, the frame table, claims and domains
/// (1–7, 13–15, 21, plus the scrub count and the free-chunk bitmaps the double-free check reads).
/// <see cref="Run"/> takes the heap lock, so it may run while other
/// threads allocate and free.
/// </summary>
public sealed class HeapAudit
{
    private readonly BuddyHeap _heap;
    private readonly Domain[] _domains;

    /// <summary>Audits <paramref name="heap"/> and, for invariants 14 and 15, the given domains (all that own pages or claims).</summary>
    public HeapAudit(BuddyHeap heap, IEnumerable<Domain>? domains = null)
    {
        _heap = heap ?? throw new ArgumentNullException(nameof(heap));
        _domains = domains?.ToArray() ?? [];
    }

    /// <summary>The check names, in the order they run.</summary>
    public static IReadOnlyList<string> Checks { get; } =
    [
        "1 chunk-alignment", "2 head-and-list", "3 zone-avail", "4 total-avail", "5 chunk-zone", "6 mfn-0",
        "7 merge-rule", "13 page-states", "14 domain-accounting", "15 claims", "21 single-node", "scrub-accounting",
        "frame-table bitmaps",
    ];

    /// <summary>
    /// Runs every check; an empty list means the state is consistent. Faithful quirks of the heap's profile
    /// (<see cref="AuditViolation.IsQuirk"/>) are left out: see <see cref="RunAll"/>.
    /// </summary>
    public IReadOnlyList<AuditViolation> Run() => RunAll().Where(f => !f.IsQuirk).ToList();

    /// <summary>
    /// Runs every check and returns every finding, the profile's faithful quirks included (flagged
    /// <see cref="AuditViolation.IsQuirk"/>): in the 2013 profile, chunks on a foreign zone's list after Xen 4.4's
    /// merge across zones at MFN 0, and the per-zone counts that no longer match the lists.
    /// </summary>
    public IReadOnlyList<AuditViolation> RunAll()
    {
        var v = new List<AuditViolation>();
        using (_heap.Lock())
        {
            _heap.AuditLocked(v, _domains);
        }

        return v;
    }
}

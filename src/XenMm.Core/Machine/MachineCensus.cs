using XenMm.Audit;
using XenMm.Heap;

namespace XenMm.Machine;

/// <summary>
/// The page census of a machine: every RAM page placed in exactly one <see cref="PageUse"/>. Pages never handed to
/// the heap are modules, reserved regions, bad pages, boot allocations or buffer pages; pages handed to the heap are
/// free, xenheap, a domain's, run-time tables or vmap, and otherwise anonymous allocations. A page in two categories,
/// or in none, is a violation.
/// </summary>
public sealed class MachineCensus
{
    private const int MaxReported = 16;

    private MachineCensus(ulong totalRam, Dictionary<PageUse, ulong> pages, List<CensusSpan> spans, List<AuditViolation> violations, ulong unaccounted)
    {
        TotalRamPages = totalRam;
        Pages = pages;
        Spans = spans;
        Violations = violations;
        UnaccountedPages = unaccounted;
    }

    /// <summary>Pages of RAM.</summary>
    public ulong TotalRamPages { get; }

    /// <summary>Pages per use; every category is present, zero where none.</summary>
    public IReadOnlyDictionary<PageUse, ulong> Pages { get; }

    /// <summary>The uses in address order, adjacent pages of one use merged (what a heat map draws).</summary>
    public IReadOnlyList<CensusSpan> Spans { get; }

    /// <summary>RAM pages in no category (each is also a violation).</summary>
    public ulong UnaccountedPages { get; }

    /// <summary>Pages in two categories, in none, or claimed outside what the heap was given; empty when the census is clean.</summary>
    public IReadOnlyList<AuditViolation> Violations { get; }

    /// <summary>The pages of one use.</summary>
    public ulong this[PageUse use] => Pages[use];

    internal static MachineCensus Take(MachineState state)
    {
        var events = new List<(ulong At, int Layer, PageUse Use, int Delta)>();
        void Add(int layer, PageUse use, ulong start, ulong end)
        {
            if (end > start)
            {
                events.Add((start, layer, use, 1));
                events.Add((end, layer, use, -1));
            }
        }

        const ulong page = Addressing.PageSize;
        foreach (var bank in state.Memory.Banks)
        {
            Add(Ram, PageUse.Free, bank.StartMfn.Value, bank.StartMfn.Value + bank.Pages);
        }

        foreach (var m in state.Options.Modules)
        {
            Add(Soft, PageUse.Module, m.Start.Value / page, (m.End + page - 1) / page);
        }

        foreach (var r in state.Options.Reserved)
        {
            Add(Soft, PageUse.Reserved, r.Start.Value / page, r.End / page + ((r.End % page) != 0 ? 1UL : 0));
        }

        foreach (var (s, e) in state.CommandLine.BadPageRanges())
        {
            Add(Soft, PageUse.BadPage, s, e);
        }

        foreach (var a in state.BootAllocator.Allocations)
        {
            for (var mfn = a.Mfn.Value; mfn < a.Mfn.Value + a.Pages;)
            {
                // A boot-time table page later freed into the heap is the heap's now.
                var run = mfn;
                while (run < a.Mfn.Value + a.Pages && !state.ReleasedBootFrames.Contains(run))
                {
                    run++;
                }

                Add(Strict, a.Use, mfn, run);
                mfn = run + 1;
            }
        }

        if (state.BootAllocator.RegionListPage is { } listPage && !state.BootAllocator.HasEnded)
        {
            Add(Strict, PageUse.BootStructure, listPage.Value, listPage.Value + 1);
        }

        var model = state.HeapModel;
        foreach (var b in model?.BufferPages ?? [])
        {
            Add(Strict, PageUse.Buffer, b.Start.Value, b.End.Value);
        }

        foreach (var h in state.HeapRanges)
        {
            Add(HeapLayer, PageUse.Free, h.Start.Value, h.End.Value);
        }

        CollectHeapClaims(state, Add);
        return Sweep(state, events);
    }

    private const int Ram = 0;
    private const int Soft = 1;
    private const int Strict = 2;
    private const int HeapLayer = 3;
    private const int Claim = 4;

    private static void CollectHeapClaims(MachineState state, Action<int, PageUse, ulong, ulong> add)
    {
        var heap = state.Heap;
        foreach (var (head, order) in heap.FreeChunks())
        {
            add(Claim, PageUse.Free, head.Value, head.Value + (1UL << order));
        }

        foreach (var x in state.HeapModel?.XenheapAllocations ?? [])
        {
            add(Claim, PageUse.Xenheap, x.Start.Value, x.End.Value);
        }

        using (heap.Lock())
        {
            ulong runStart = 0, runEnd = 0;
            foreach (var (idx, entry) in state.FrameTable.ColdEntries())
            {
                if (entry.Owner is null)
                {
                    continue;
                }

                var mfn = state.FrameTable.ToMfn(idx);
                if (mfn != runEnd)
                {
                    add(Claim, PageUse.Domain, runStart, runEnd);
                    runStart = mfn;
                }

                runEnd = mfn + 1;
            }

            add(Claim, PageUse.Domain, runStart, runEnd);
        }

        lock (state.Frames)
        {
            foreach (var (mfn, use) in state.Frames)
            {
                add(Claim, use, mfn, mfn + 1);
            }
        }
    }

    private static MachineCensus Sweep(MachineState state, List<(ulong At, int Layer, PageUse Use, int Delta)> events)
    {
        events.Sort((a, b) => a.At.CompareTo(b.At));
        var uses = Enum.GetValues<PageUse>();
        var counts = new int[5, uses.Length];
        var layerCount = new int[5];
        var pages = uses.ToDictionary(u => u, _ => 0UL);
        var spans = new List<CensusSpan>();
        var violations = new List<AuditViolation>();
        var reported = 0;
        ulong unaccounted = 0, totalRam = 0;

        void Violation(ulong at, ulong n, string detail)
        {
            if (reported++ < MaxReported)
            {
                violations.Add(new AuditViolation("census", new Mfn(at), $"{n} page(s) from here: {detail}"));
            }
        }

        PageUse First(int layer) => uses.First(u => counts[layer, (int)u] > 0);

        for (var i = 0; i < events.Count;)
        {
            var at = events[i].At;
            while (i < events.Count && events[i].At == at)
            {
                var (_, layer, use, delta) = events[i++];
                counts[layer, (int)use] += delta;
                layerCount[layer] += delta;
            }

            if (i >= events.Count || layerCount[Ram] == 0)
            {
                continue;
            }

            var next = events[i].At;
            var n = next - at;
            totalRam += n;
            PageUse? result = null;
            if (layerCount[HeapLayer] > 1)
            {
                Violation(at, n, "handed to the heap more than once");
            }

            if (layerCount[Strict] > 1 || layerCount[Claim] > 1)
            {
                Violation(at, n, $"in {layerCount[Strict] + layerCount[Claim]} categories at once");
            }

            if (layerCount[HeapLayer] > 0)
            {
                if (layerCount[Strict] > 0 || counts[Soft, (int)PageUse.Module] > 0 || counts[Soft, (int)PageUse.Reserved] > 0)
                {
                    Violation(at, n, $"handed to the heap but also {(layerCount[Strict] > 0 ? First(Strict) : First(Soft))}");
                }

                result = layerCount[Claim] > 0 ? First(Claim) : PageUse.Anonymous;
            }
            else
            {
                if (layerCount[Claim] > 0)
                {
                    Violation(at, n, $"{First(Claim)} but never handed to the heap");
                }

                if (layerCount[Strict] > 0)
                {
                    if (counts[Soft, (int)PageUse.Module] > 0 || counts[Soft, (int)PageUse.Reserved] > 0)
                    {
                        Violation(at, n, $"{First(Strict)} inside a {(counts[Soft, (int)PageUse.Module] > 0 ? "module" : "reserved region")}");
                    }

                    result = First(Strict);
                }
                else if (counts[Soft, (int)PageUse.Module] > 0)
                {
                    result = PageUse.Module;
                }
                else if (counts[Soft, (int)PageUse.Reserved] > 0)
                {
                    result = PageUse.Reserved;
                }
                else if (counts[Soft, (int)PageUse.BadPage] > 0)
                {
                    result = PageUse.BadPage;
                }
            }

            if (result is not { } r)
            {
                unaccounted += n;
                Violation(at, n, "in no category (never handed to the heap, not a module, reserved region or boot allocation)");
                continue;
            }

            pages[r] += n;
            if (spans.Count > 0 && spans[^1].Use == r && spans[^1].End.Value == at)
            {
                spans[^1] = spans[^1] with { Pages = spans[^1].Pages + n };
            }
            else
            {
                spans.Add(new CensusSpan(new Mfn(at), n, r));
            }
        }

        if (reported > MaxReported)
        {
            violations.Add(new AuditViolation("census", null, $"{reported - MaxReported} more census violations not listed"));
        }

        var ram = state.Memory.TotalPages;
        if (totalRam != ram)
        {
            violations.Add(new AuditViolation("census", null, $"the census swept {totalRam} pages of RAM, the machine has {ram}"));
        }

        return new MachineCensus(ram, pages, spans, violations, unaccounted);
    }
}

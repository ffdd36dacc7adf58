using System.IO.Hashing;
using System.Text;

namespace XenMm.Checkpoint;

/// <summary>
/// What differs between two checkpoints of the same machine: pages whose bytes changed, heap registers and free
/// chunks, domains, and mappings (table trees, vmap, run-time frames, parts' registers). Read without booting.
/// </summary>
public sealed class CheckpointDiff
{
    private CheckpointDiff(List<Mfn> pages, List<string> heap, List<string> domains, List<string> mappings)
    {
        PagesChanged = pages;
        Heap = heap;
        Domains = domains;
        Mappings = mappings;
    }

    /// <summary>Pages whose contents differ (a page saved in one file only counts: the other holds zeroes there).</summary>
    public IReadOnlyList<Mfn> PagesChanged { get; }

    /// <summary>Heap differences: counters, avail per zone, free chunks added or removed, page_info changes.</summary>
    public IReadOnlyList<string> Heap { get; }

    /// <summary>Domain differences: domains added or removed and accounting changes.</summary>
    public IReadOnlyList<string> Domains { get; }

    /// <summary>Mapping differences: table trees and other parts' registers, vmap registers, run-time frames.</summary>
    public IReadOnlyList<string> Mappings { get; }

    /// <summary>True when the two checkpoints hold the same state.</summary>
    public bool IsEmpty => PagesChanged.Count == 0 && Heap.Count == 0 && Domains.Count == 0 && Mappings.Count == 0;

    /// <summary>Compares two checkpoints of one machine.</summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.CorruptCheckpoint"/> for a damaged file; <see cref="MmError.IncompatibleCheckpoint"/> when the
    /// files are of differently composed machines (named).
    /// </exception>
    public static CheckpointDiff Compare(Stream a, Stream b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var x = new Collector();
        CheckpointParser.Read(a, x);
        var y = new Collector();
        CheckpointParser.Read(b, y);
        var ha = x.HeaderRecord!;
        var hb = y.HeaderRecord!;
        if (ha.Architecture != hb.Architecture || Describe(ha) != Describe(hb) || x.Boot?.Fingerprint != y.Boot?.Fingerprint)
        {
            throw CheckpointErrors.Incompatible($"the checkpoints are of different machines ({ha.Architecture}: {Describe(ha)}; {hb.Architecture}: {Describe(hb)})");
        }

        var pages = x.Pages.Keys.Union(y.Pages.Keys).Where(p => x.Pages.GetValueOrDefault(p) != y.Pages.GetValueOrDefault(p)).Order().Select(p => new Mfn(p)).ToList();
        var heap = new List<string>();
        var (xa, ya) = (x.HeapRecord!, y.HeapRecord!);
        void Field(List<string> into, string what, ulong p, ulong q)
        {
            if (p != q)
            {
                into.Add($"{what}: {p} -> {q}");
            }
        }

        Field(heap, "total_avail_pages", xa.Total, ya.Total);
        Field(heap, "outstanding_claims", xa.OutstandingClaims, ya.OutstandingClaims);
        for (var i = 0; i < Math.Min(xa.Avail.Length, ya.Avail.Length); i++)
        {
            Field(heap, $"avail[node {i / xa.Zones}][zone {i % xa.Zones}]", xa.Avail[i], ya.Avail[i]);
        }

        for (var n = 0; n < Math.Min(xa.NodeNeedScrub.Length, ya.NodeNeedScrub.Length); n++)
        {
            Field(heap, $"node_need_scrub[{n}]", xa.NodeNeedScrub[n], ya.NodeNeedScrub[n]);
        }

        var ca = Chunks(xa);
        var cb = Chunks(ya);
        var removed = ca.Except(cb).Count();
        var added = cb.Except(ca).Count();
        if (removed + added != 0)
        {
            heap.Add($"free chunks: {removed} gone, {added} new ({ca.Count} -> {cb.Count})");
        }
        else if (!xa.Heads.SequenceEqual(ya.Heads))
        {
            heap.Add("free chunks: the same chunks in a different list order");
        }

        var cold = ColdDiffs(x.FrameTableRecord!, y.FrameTableRecord!);
        if (cold != 0)
        {
            heap.Add($"page_info (count_info, type_info, owner): {cold} pages differ");
        }

        var domains = new List<string>();
        var da = x.DomainList.ToDictionary(d => d.Id);
        var db = y.DomainList.ToDictionary(d => d.Id);
        foreach (var id in da.Keys.Union(db.Keys).Order())
        {
            if (!db.TryGetValue(id, out var q))
            {
                domains.Add($"d{id}: removed");
            }
            else if (!da.TryGetValue(id, out var p))
            {
                domains.Add($"d{id}: created (tot {q.TotPages}, max {q.MaxPages})");
            }
            else if (p != q)
            {
                domains.Add($"d{id}: tot {p.TotPages} -> {q.TotPages}, max {p.MaxPages} -> {q.MaxPages}, extra {p.ExtraPages} -> {q.ExtraPages}, claim {p.Outstanding} -> {q.Outstanding}, dying {p.IsDying} -> {q.IsDying}");
            }
        }

        var mappings = new List<string>();
        foreach (var role in x.Parts.Keys.Union(y.Parts.Keys).Order(StringComparer.Ordinal))
        {
            if (x.Parts.GetValueOrDefault(role) != y.Parts.GetValueOrDefault(role))
            {
                mappings.Add($"{role}: registers differ");
            }
        }

        var va = x.VmapRecord!.Regions;
        var vb = y.VmapRecord!.Regions;
        for (var i = 0; i < Math.Min(va.Length, vb.Length); i++)
        {
            if (va[i] != vb[i])
            {
                mappings.Add($"vmap region {(VirtualMapping.VmapRegion)i}: {va[i]?.ToString() ?? "none"} -> {vb[i]?.ToString() ?? "none"}");
            }
        }

        var fa = x.FramesRecord!.Mfns.Zip(x.FramesRecord.Uses).ToHashSet();
        var fb = y.FramesRecord!.Mfns.Zip(y.FramesRecord.Uses).ToHashSet();
        if (!fa.SetEquals(fb))
        {
            mappings.Add($"run-time table/vmap frames: {fa.Except(fb).Count()} gone, {fb.Except(fa).Count()} new");
        }

        return new CheckpointDiff(pages, heap, domains, mappings);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("pages_changed ").Append(PagesChanged.Count).AppendLine();
        foreach (var (title, lines) in new[] { ("heap", Heap), ("domains", Domains), ("mappings", Mappings) })
        {
            foreach (var line in lines)
            {
                sb.Append(title).Append(": ").AppendLine(line);
            }
        }

        return sb.ToString();
    }

    private static string Describe(HeaderRecord h) =>
        $"{string.Join(", ", h.Options.Ram)}; {h.Options.Cpus} CPUs; {h.Options.Profile}; {h.Layout}";

    private static HashSet<(uint Idx, int List)> Chunks(HeapRecord h)
    {
        var set = new HashSet<(uint, int)>();
        var k = 0;
        for (var li = 0; li < h.ListLengths.Length; li++)
        {
            for (var n = 0u; n < h.ListLengths[li]; n++)
            {
                set.Add((h.Heads[k++], li));
            }
        }

        return set;
    }

    private static int ColdDiffs(FrameTableRecord a, FrameTableRecord b)
    {
        const int size = Frames.FrameTable.BlockSize;
        var ia = a.ColdBlocks.Select((bi, i) => (bi, i)).ToDictionary(t => t.bi, t => t.i);
        var ib = b.ColdBlocks.Select((bi, i) => (bi, i)).ToDictionary(t => t.bi, t => t.i);
        var diffs = 0;
        foreach (var bi in ia.Keys.Union(ib.Keys))
        {
            for (var j = 0; j < size; j++)
            {
                (ulong, ulong, int) Entry(FrameTableRecord f, Dictionary<int, int> index) =>
                    index.TryGetValue(bi, out var i) ? (f.CountInfo[(i * size) + j], f.TypeInfo[(i * size) + j], f.Owners[(i * size) + j]) : (0, 0, -1);
                diffs += Entry(a, ia) != Entry(b, ib) ? 1 : 0;
            }
        }

        return diffs;
    }

    private sealed class Collector : IRecordSink
    {
        public HeaderRecord? HeaderRecord;
        public BootRecord? Boot;
        public List<DomainRecord> DomainList = [];
        public Dictionary<ulong, ulong> Pages = [];
        public FrameTableRecord? FrameTableRecord;
        public HeapRecord? HeapRecord;
        public VmapRecord? VmapRecord;
        public FramesRecord? FramesRecord;
        public Dictionary<string, ulong> Parts = new(StringComparer.Ordinal);

        public void Record(RawRecord record)
        {
        }

        public void Header(HeaderRecord header, string where) => HeaderRecord = header;

        void IRecordSink.Boot(BootRecord boot, string where) => Boot = boot;

        public void Domains(List<DomainRecord> domains, string where) => DomainList = domains;

        public void Memory(MemoryRecord chunk, string where)
        {
            var first = chunk.Chunk << (XenMm.Memory.PhysicalMemory.ChunkShift - Addressing.PageShift);
            var k = 0;
            for (var p = 0; p < XenMm.Memory.PhysicalMemory.PagesPerChunk; p++)
            {
                if ((chunk.Mask[p >> 6] & (1UL << (p & 63))) != 0)
                {
                    Pages[first + (ulong)p] = XxHash3.HashToUInt64(chunk.Pages.Span.Slice(k++ << Addressing.PageShift, (int)Addressing.PageSize));
                }
            }
        }

        public void FrameTable(FrameTableRecord frames, string where) => FrameTableRecord = frames;

        public void Heap(HeapRecord heap, string where) => HeapRecord = heap;

        public void Vmap(VmapRecord vmap, string where) => VmapRecord = vmap;

        public void Frames(FramesRecord frames, string where) => FramesRecord = frames;

        public void Part(NamedRecord part, string where) => Parts[part.Name] = XxHash3.HashToUInt64(part.Payload.Span);

        public void Attachment(NamedRecord attachment, string where)
        {
        }
    }
}

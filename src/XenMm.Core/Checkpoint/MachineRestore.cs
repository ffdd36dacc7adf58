using Microsoft.Extensions.Logging;
using XenMm.Domains;
using XenMm.Machine;

namespace XenMm.Checkpoint;

// Restores a machine record by record: the header boots the same options on the host's architecture, then each
// record replaces one part of the booted state. Nothing is handed out until the End record and the audit pass.
internal sealed class MachineRestore(IArchitecture architecture, CheckpointRestoreOptions options) : IRecordSink
{
    private readonly Dictionary<string, byte[]> _attachments = new(StringComparer.Ordinal);
    private readonly HashSet<string> _parts = new(StringComparer.Ordinal);
    private Dictionary<int, Domain> _domains = [];
    private FrameTableRecord? _frameTable;
    private ulong _lastChunk = ulong.MaxValue;
    private bool _memoryCleared;

    public XenMachine? Machine { get; private set; }

    public HeaderRecord? HeaderRecord { get; private set; }

    public IReadOnlyDictionary<string, byte[]> Attachments => _attachments;

    private MachineState State => Machine!.CheckpointState;

    public void Record(RawRecord record)
    {
    }

    public void Header(HeaderRecord header, string where)
    {
        CheckCompatible(header, architecture, options.ExpectedOptions);
        XenMachine machine;
        try
        {
            machine = new XenMachine(header.Options, architecture, options.Logger);
        }
        catch (XenMmException ex)
        {
            throw CheckpointErrors.Corrupt(where, $"the machine options are not valid ({ex.Message})");
        }

        try
        {
            machine.Boot();
        }
        catch (XenMmException ex)
        {
            throw CheckpointErrors.Incompatible($"the saved machine does not boot on this host's {architecture.Name} plug-in ({ex.Message})");
        }

        Machine = machine;
        HeaderRecord = header;
        var host = MachineCapture.Header(State);
        if (host.Layout != header.Layout || host.MaxOrder != header.MaxOrder || host.NrZones != header.NrZones || host.Nodes != header.Nodes)
        {
            throw CheckpointErrors.Incompatible($"the file's layout {header.Layout} with MAX_ORDER {header.MaxOrder}, {header.NrZones} zones, {header.Nodes} nodes; the host builds {host.Layout} with MAX_ORDER {host.MaxOrder}, {host.NrZones} zones, {host.Nodes} nodes");
        }
    }

    public void Boot(BootRecord boot, string where)
    {
        var host = MachineCapture.Boot(State);
        if (host.Fingerprint != boot.Fingerprint || host.LogLines != boot.LogLines || host.Allocations != boot.Allocations || host.HeapRanges != boot.HeapRanges)
        {
            throw CheckpointErrors.Incompatible($"this host's {architecture.Name} plug-in boots the saved options differently (boot fingerprint 0x{host.Fingerprint:x16}, {host.LogLines} log lines, {host.Allocations} boot allocations; the file has 0x{boot.Fingerprint:x16}, {boot.LogLines}, {boot.Allocations})");
        }
    }

    public void Domains(List<DomainRecord> domains, string where)
    {
        var map = new Dictionary<int, Domain>();
        var list = new List<Domain>();
        foreach (var r in domains)
        {
            if (map.ContainsKey(r.Id))
            {
                throw CheckpointErrors.Corrupt(where, $"domain {r.Id} appears twice");
            }

            var d = new Domain(r.Id, r.MaxPages)
            {
                TotPages = r.TotPages,
                ExtraPages = r.ExtraPages,
                OutstandingPages = r.Outstanding,
                IsDying = r.IsDying,
                LastAllocNode = r.LastAllocNode,
            };
            if (r.LastAllocNode >= State.HeapConfig.Nodes)
            {
                throw CheckpointErrors.Corrupt(where, $"domain {r.Id}: last_alloc_node {r.LastAllocNode} is beyond {State.HeapConfig.Nodes} nodes");
            }

            map.Add(r.Id, d);
            list.Add(d);
        }

        lock (State.Domains)
        {
            State.Domains.Clear();
            State.Domains.AddRange(list);
        }

        _domains = map;
        ClearMemory();
    }

    public void Memory(MemoryRecord chunk, string where)
    {
        var memory = State.Memory;
        if (chunk.Chunk >= memory.ChunkLimit || (_lastChunk != ulong.MaxValue && chunk.Chunk <= _lastChunk))
        {
            throw CheckpointErrors.Corrupt(where, $"chunk 0x{chunk.Chunk:x} is beyond the physical address space or not after chunk 0x{_lastChunk:x}");
        }

        if (chunk.PageCount == 0)
        {
            throw CheckpointErrors.Corrupt(where, $"chunk 0x{chunk.Chunk:x} holds no page");
        }

        _lastChunk = chunk.Chunk;
        var firstMfn = chunk.Chunk << (XenMm.Memory.PhysicalMemory.ChunkShift - Addressing.PageShift);
        var page = 0;
        for (var p = 0; p < XenMm.Memory.PhysicalMemory.PagesPerChunk; p++)
        {
            if ((chunk.Mask[p >> 6] & (1UL << (p & 63))) == 0)
            {
                continue;
            }

            var mfn = new Mfn(firstMfn + (ulong)p);
            var bytes = chunk.Pages.Span.Slice(page++ << Addressing.PageShift, (int)Addressing.PageSize);
            if (!memory.IsRam(mfn) || !bytes.ContainsAnyExcept((byte)0))
            {
                throw CheckpointErrors.Corrupt(where, $"page {mfn} is not RAM or is all zero (zero pages are never saved)");
            }

            memory.Write(mfn.ToPhysAddr(), bytes);
        }
    }

    public void FrameTable(FrameTableRecord frames, string where) => _frameTable = frames;

    public void Heap(HeapRecord heap, string where) => State.Heap.RestoreCheckpoint(heap, _frameTable!, _domains);

    public void Vmap(VmapRecord vmap, string where)
    {
        var v = State.Vmap!;
        if (vmap.Regions.Length != v.RegionSlots)
        {
            throw CheckpointErrors.Corrupt(where, $"{vmap.Regions.Length} vmap regions, this vmap has {v.RegionSlots}");
        }

        for (var i = 0; i < vmap.Regions.Length; i++)
        {
            var booted = v.CaptureRegion(i);
            if (vmap.Regions[i] is not { } s)
            {
                if (booted is not null)
                {
                    throw CheckpointErrors.Corrupt(where, $"vmap region {(VirtualMapping.VmapRegion)i} is missing but boot initialises it");
                }

                continue;
            }

            const uint bitsPerPage = (uint)Addressing.PageSize * 8;
            var topLimit = ((ulong)s.End + bitsPerPage - 1) / bitsPerPage * bitsPerPage;
            if ((booted is { } b && (b.Base != s.Base || b.End != s.End)) || !s.Base.IsPageAligned || s.End == 0
                || s.Top > topLimit || (s.Top % bitsPerPage != 0 && s.Top != s.End) || s.Low > s.Top || s.Top == 0)
            {
                throw CheckpointErrors.Corrupt(where, $"vmap region {(VirtualMapping.VmapRegion)i} registers (base {s.Base}, end {s.End}, low {s.Low}, top {s.Top}) are impossible here");
            }

            if (!v.BitmapMapped(s))
            {
                throw CheckpointErrors.Corrupt(where, $"vmap region {(VirtualMapping.VmapRegion)i}: the bitmap below vm_top {s.Top} is not mapped");
            }

            v.RestoreRegion(i, s);
        }

        v.RestoreVmallocs(vmap.Vmallocs, mfn => mfn <= (ulong.MaxValue >> Addressing.PageShift) && State.Memory.IsRam(new Mfn(mfn)));
    }

    public void Frames(FramesRecord frames, string where)
    {
        var s = State;
        var map = new Dictionary<ulong, PageUse>();
        for (var i = 0; i < frames.Mfns.Length; i++)
        {
            var mfn = frames.Mfns[i];
            var use = (PageUse)frames.Uses[i];
            if ((i > 0 && mfn <= frames.Mfns[i - 1]) || use is not (PageUse.PageTable or PageUse.Vmap) || !s.FrameTable.IsRam(new Mfn(mfn)))
            {
                throw CheckpointErrors.Corrupt(where, $"run-time frame {i} (MFN 0x{mfn:x}, use {use}) is out of order, of another use, or not RAM");
            }

            map.Add(mfn, use);
        }

        var released = new HashSet<ulong>();
        foreach (var mfn in frames.Released)
        {
            if (!released.Add(mfn) || !(s.IsBootFrame(new Mfn(mfn), PageUse.PageTable) || s.IsBootFrame(new Mfn(mfn), PageUse.Vmap)))
            {
                throw CheckpointErrors.Corrupt(where, $"released boot frame MFN 0x{mfn:x} is not a boot table or vmap frame, or is listed twice");
            }
        }

        lock (s.Frames)
        {
            s.Frames.Clear();
            foreach (var (mfn, use) in map)
            {
                s.Frames.Add(mfn, use);
            }

            s.ReleasedBootFrames.Clear();
            s.ReleasedBootFrames.UnionWith(released);
            s.HeapRanges.RemoveRange(MachineCapture.BootHeapRanges(s), s.HeapRanges.Count - MachineCapture.BootHeapRanges(s));
            s.HeapRanges.AddRange(frames.Released.Select(m => new MfnRange(new Mfn(m), 1)));
        }
    }

    public void Part(NamedRecord part, string where)
    {
        var target = MachineCapture.Parts(State).FirstOrDefault(p => p.Role == part.Name).Part
            ?? throw CheckpointErrors.Incompatible($"{where} holds registers of part '{part.Name}', which this host's {architecture.Name} machine does not have");
        if (!_parts.Add(part.Name))
        {
            throw CheckpointErrors.Corrupt(where, $"part '{part.Name}' appears twice");
        }

        try
        {
            target.RestoreCheckpoint(part.Payload);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not XenMmException { Error: MmError.CorruptCheckpoint or MmError.IncompatibleCheckpoint })
        {
            throw CheckpointErrors.Corrupt($"{where}, part '{part.Name}'", ex.Message);
        }
    }

    public void Attachment(NamedRecord attachment, string where)
    {
        if (!_attachments.TryAdd(attachment.Name, attachment.Payload.ToArray()))
        {
            throw CheckpointErrors.Corrupt(where, $"attachment '{attachment.Name}' appears twice");
        }
    }

    // After End: every part restored, then the audit and census on the whole machine.
    public void Finish()
    {
        foreach (var (role, _) in MachineCapture.Parts(State))
        {
            if (!_parts.Contains(role))
            {
                throw CheckpointErrors.Incompatible($"this host's part '{role}' keeps registers, but the checkpoint has none for it");
            }
        }

        var violations = Machine!.Audit();
        if (violations.Count != 0)
        {
            throw CheckpointErrors.Corrupt("the restored machine", $"the audit finds {violations.Count} violation(s), the first: {violations[0]}");
        }
    }

    internal static void CheckCompatible(HeaderRecord h, IArchitecture a, MachineOptions? expected)
    {
        var diffs = new List<string>();
        void Compare<T>(string what, T file, T host)
        {
            if (!EqualityComparer<T>.Default.Equals(file, host))
            {
                diffs.Add($"{what}: file {file}, host {host}");
            }
        }

        Compare("architecture", h.Architecture, a.Name);
        Compare("page-table format", h.PageTableFormat, a.PageTableFormat);
        Compare("BITS_PER_LONG", h.BitsPerLong, a.BitsPerLong);
        Compare("PADDR_BITS", h.PaddrBits, a.PaddrBits);
        Compare("page_info size", h.PageInfoSize, a.PageInfoSize);
        if (expected is not null)
        {
            Compare("profile", h.Options.Profile, expected.Profile);
            Compare("CPUs", h.Options.Cpus, expected.Cpus);
            Compare("RAM banks", string.Join(", ", h.Options.Ram.OrderBy(r => r.Start.Value)), string.Join(", ", expected.Ram.OrderBy(r => r.Start.Value)));
            Compare("reserved regions", string.Join(", ", h.Options.Reserved), string.Join(", ", expected.Reserved));
            Compare("command line", h.Options.CommandLine, expected.CommandLine);
        }

        if (diffs.Count != 0)
        {
            throw CheckpointErrors.Incompatible(string.Join("; ", diffs));
        }
    }

    private void ClearMemory()
    {
        if (!_memoryCleared)
        {
            State.Memory.ZeroContents();
            _memoryCleared = true;
        }
    }
}

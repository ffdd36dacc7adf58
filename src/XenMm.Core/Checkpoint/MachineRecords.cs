using System.Runtime.InteropServices;
using MessagePack;
using XenMm.Machine;
using XenMm.VirtualMapping;

namespace XenMm.Checkpoint;

// The Header record: what the machine is composed of, enough to boot it again and to refuse a different host.
internal sealed class HeaderRecord
{
    public string WriterVersion = string.Empty;
    public string Architecture = string.Empty;
    public string PageTableFormat = string.Empty;
    public int BitsPerLong;
    public int PaddrBits;
    public int PageInfoSize;
    public string Layout = string.Empty;
    public int MaxOrder;
    public int NrZones;
    public int Nodes;
    public MachineOptions Options = new();

    public void Write(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(16);
        w.Write(WriterVersion);
        w.Write(Architecture);
        w.Write(PageTableFormat);
        w.Write(BitsPerLong);
        w.Write(PaddrBits);
        w.Write(PageInfoSize);
        w.Write(Layout);
        w.Write(MaxOrder);
        w.Write(NrZones);
        w.Write(Nodes);
        w.Write((int)Options.Profile);
        w.Write(Options.Cpus);
        w.Write(Options.CommandLine);
        WriteRegions(ref w, Options.Ram);
        WriteRegions(ref w, Options.Reserved);
        w.WriteArrayHeader(Options.Modules.Count);
        foreach (var m in Options.Modules)
        {
            w.WriteArrayHeader(3);
            w.Write((int)m.Kind);
            w.Write(m.Start.Value);
            w.Write(m.Size);
        }
    }

    public static HeaderRecord Read(ref BodyReader r)
    {
        r.Array("header", 16);
        var h = new HeaderRecord
        {
            WriterVersion = r.Str("writer version", 64),
            Architecture = r.Str("architecture", 64),
            PageTableFormat = r.Str("page-table format", 64),
            BitsPerLong = r.Int("BITS_PER_LONG", 32, 64),
            PaddrBits = r.Int("PADDR_BITS", 32, 52),
            PageInfoSize = r.Int("page_info size", 1, 4096),
            Layout = r.Str("layout", 64),
            MaxOrder = r.Int("MAX_ORDER", 1, 24),
            NrZones = r.Int("NR_ZONES", 1, 64),
            Nodes = r.Int("nodes", 1, 64),
        };
        h.Options.Profile = (XenProfile)r.Int("profile", 0, 16);
        h.Options.Cpus = r.Int("CPUs", 1, MachineOptions.MaxCpus);
        h.Options.CommandLine = r.Str("command line", 1 << 16);
        h.Options.Ram = ReadRegions(ref r, "RAM banks", MachineOptions.MaxBanks);
        h.Options.Reserved = ReadRegions(ref r, "reserved regions", 4096);
        var n = r.Array("modules");
        for (var i = 0; i < n; i++)
        {
            r.Array("module", 3);
            h.Options.Modules.Add(new BootModule((BootModuleKind)r.Int("module kind", 0, 64), new PhysAddr(r.U64()), r.U64()));
        }

        r.ExpectEnd();
        return h;
    }

    private static void WriteRegions(ref MessagePackWriter w, List<MemoryRegion> regions)
    {
        w.WriteArrayHeader(regions.Count);
        foreach (var b in regions)
        {
            w.WriteArrayHeader(2);
            w.Write(b.Start.Value);
            w.Write(b.Size);
        }
    }

    private static List<MemoryRegion> ReadRegions(ref BodyReader r, string what, int max)
    {
        var n = r.Array(what);
        if (n > max)
        {
            throw r.Corrupt($"{n} {what}, at most {max}");
        }

        var list = new List<MemoryRegion>(n);
        for (var i = 0; i < n; i++)
        {
            r.Array(what, 2);
            list.Add(new MemoryRegion(new PhysAddr(r.U64()), r.U64()));
        }

        return list;
    }
}

// The Boot record: a fingerprint of everything boot built, so a host whose plug-in boots the options differently
// is refused instead of restored onto the wrong tables.
internal sealed class BootRecord
{
    public ulong Fingerprint;
    public int LogLines;
    public int Allocations;
    public int HeapRanges;

    public void Write(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(4);
        w.Write(Fingerprint);
        w.Write(LogLines);
        w.Write(Allocations);
        w.Write(HeapRanges);
    }

    public static BootRecord Read(ref BodyReader r)
    {
        r.Array("boot", 4);
        var b = new BootRecord
        {
            Fingerprint = r.U64(),
            LogLines = r.Int("log lines", 0, int.MaxValue),
            Allocations = r.Int("boot allocations", 0, int.MaxValue),
            HeapRanges = r.Int("heap ranges", 0, int.MaxValue),
        };
        r.ExpectEnd();
        return b;
    }
}

// One domain's accounting.
internal readonly record struct DomainRecord(int Id, ulong MaxPages, ulong TotPages, ulong ExtraPages, ulong Outstanding, bool IsDying, int LastAllocNode)
{
    public static void WriteAll(ref MessagePackWriter w, IReadOnlyList<DomainRecord> domains)
    {
        w.WriteArrayHeader(domains.Count);
        foreach (var d in domains)
        {
            w.WriteArrayHeader(7);
            w.Write(d.Id);
            w.Write(d.MaxPages);
            w.Write(d.TotPages);
            w.Write(d.ExtraPages);
            w.Write(d.Outstanding);
            w.Write(d.IsDying);
            w.Write(d.LastAllocNode);
        }
    }

    public static List<DomainRecord> ReadAll(ref BodyReader r)
    {
        var n = r.Array("domains");
        var list = new List<DomainRecord>(n);
        for (var i = 0; i < n; i++)
        {
            r.Array("domain", 7);
            list.Add(new DomainRecord(r.Int("domain id", 0, int.MaxValue), r.U64(), r.U64(), r.U64(), r.U64(), r.Bool(), r.Int("last_alloc_node", -1, 63)));
        }

        r.ExpectEnd();
        return list;
    }
}

// One 2 MiB chunk of memory: which of its 512 pages are non-zero, and their bytes.
internal sealed class MemoryRecord
{
    public ulong Chunk;
    public ulong[] Mask = new ulong[PagesWords];
    public ReadOnlyMemory<byte> Pages;

    public const int PagesWords = Memory.PhysicalMemory.PagesPerChunk / 64;

    public int PageCount => Mask.Sum(System.Numerics.BitOperations.PopCount);

    public void Write(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(3);
        w.Write(Chunk);
        w.Write(MemoryMarshal.AsBytes(Mask.AsSpan()));
        w.Write(Pages.Span);
    }

    public static MemoryRecord Read(ref BodyReader r)
    {
        r.Array("memory chunk", 3);
        var m = new MemoryRecord { Chunk = r.U64(), Mask = r.Array<ulong>("page mask", PagesWords) };
        m.Pages = r.Bin("page bytes", (long)m.PageCount << Addressing.PageShift);
        r.ExpectEnd();
        return m;
    }
}

// The Vmap record: each region's registers (nil when never initialised) and the live vmalloc areas with the frames
// vmalloc mapped there, by VA. The bitmap itself is in memory.
internal sealed class VmapRecord
{
    public VmapRegionState?[] Regions = [];
    public (ulong Va, ulong[] Mfns)[] Vmallocs = [];

    public void Write(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(2);
        w.WriteArrayHeader(Regions.Length);
        foreach (var s in Regions)
        {
            if (s is not { } r)
            {
                w.WriteNil();
                continue;
            }

            w.WriteArrayHeader(4);
            w.Write(r.Base.Value);
            w.Write(r.End);
            w.Write(r.Low);
            w.Write(r.Top);
        }

        w.WriteArrayHeader(Vmallocs.Length);
        foreach (var (va, mfns) in Vmallocs)
        {
            w.WriteArrayHeader(2);
            w.Write(va);
            w.Write(MemoryMarshal.AsBytes(mfns.AsSpan()));
        }
    }

    public static VmapRecord Read(ref BodyReader r)
    {
        r.Array("vmap", 2);
        var regions = r.Array("vmap regions");
        if (regions > 16)
        {
            throw r.Corrupt($"{regions} vmap regions");
        }

        var v = new VmapRecord { Regions = new VmapRegionState?[regions] };
        for (var i = 0; i < regions; i++)
        {
            if (r.TryNil())
            {
                continue;
            }

            r.Array("vmap region", 4);
            v.Regions[i] = new VmapRegionState(new VirtAddr(r.U64()), r.U32(), r.U32(), r.U32());
        }

        var n = r.Array("vmalloc areas");
        v.Vmallocs = new (ulong, ulong[])[n];
        for (var i = 0; i < n; i++)
        {
            r.Array("vmalloc area", 2);
            v.Vmallocs[i] = (r.U64(), r.Array<ulong>("vmalloc frames"));
        }

        r.ExpectEnd();
        return v;
    }
}

// The Frames record: run-time table and vmap frames taken from the domheap, and boot frames given back to the heap.
internal sealed class FramesRecord
{
    public ulong[] Mfns = [];
    public byte[] Uses = [];
    public ulong[] Released = [];

    public void Write(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(3);
        w.Write(MemoryMarshal.AsBytes(Mfns.AsSpan()));
        w.Write(Uses);
        w.Write(MemoryMarshal.AsBytes(Released.AsSpan()));
    }

    public static FramesRecord Read(ref BodyReader r)
    {
        r.Array("frames", 3);
        var f = new FramesRecord { Mfns = r.Array<ulong>("run-time frames") };
        f.Uses = r.Array<byte>("frame uses", f.Mfns.Length);
        f.Released = r.Array<ulong>("released boot frames");
        r.ExpectEnd();
        return f;
    }
}

// A Part or Attachment record: a name and an opaque payload.
internal sealed class NamedRecord
{
    public string Name = string.Empty;
    public ReadOnlyMemory<byte> Payload;

    public void Write(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(2);
        w.Write(Name);
        w.Write(Payload.Span);
    }

    public static NamedRecord Read(ref BodyReader r)
    {
        r.Array("named record", 2);
        var n = new NamedRecord { Name = r.Str("name", 256), Payload = r.Bin("payload") };
        r.ExpectEnd();
        return n;
    }
}

using System.Text.Json;
using Spectre.Console;
using XenMm.Cli.Output;
using XenMm.Machine;

namespace XenMm.Cli.Machines;

/// <summary>What <c>xenmm boot</c> prints about a booted machine: a summary for people, or one JSON document for scripts.</summary>
internal static class BootReport
{
    public static void WriteText(XenMachine m, Terminal t)
    {
        foreach (var line in m.BootLog)
        {
            t.Line(line.ToString());
        }

        t.Line();
        t.Line($"Layout ({m.Layout.Name}):");
        t.Write(LayoutTable(m, last: true));
        if (m.HeapModel.XenheapRange is { } xh)
        {
            t.Line($"Xenheap ({m.HeapModel.Name} heap): MFN [{xh.Start}, {xh.End}) {xh.Pages} pages, mapped at VA {m.HeapModel.XenheapVirtStart}; buffer pages {string.Join(", ", m.HeapModel.BufferPages.Select(b => b.Start.ToString()))}");
        }
        else
        {
            var (s, e) = RamSpan(m);
            t.Line($"Direct map ({m.HeapModel.Name} heap): MFN [{s}, {e}) at VA {m.HeapModel.XenheapVirtStart}; xenheap pages are flagged PGC_xen_heap");
        }

        foreach (var ft in m.BootAllocator.Allocations.Where(a => a.Use == PageUse.FrameTable))
        {
            t.Line($"Frame table: MFN [{ft.Mfn}, {ft.Mfn + ft.Pages}) {ft.Pages} pages ({ft.Purpose})");
        }

        t.Line("Boot allocations (alloc_boot_pages, in order):");
        var allocations = Tables.New("MFNs", ">pages", ">align", "purpose");
        foreach (var a in m.BootAllocator.Allocations)
        {
            allocations.Row($"[{a.Mfn}, {a.Mfn + a.Pages})", a.Pages, a.Align, a.Purpose);
        }

        t.Write(allocations);
        t.Line("Boot allocator regions when end_boot_allocator started:");
        var regions = Tables.New("MFNs", ">pages");
        foreach (var r in m.BootRegionsAtEnd)
        {
            regions.Row($"[{r.Start}, {r.End})", r.Pages);
        }

        t.Write(regions);
        t.Line("Free pages by zone: " + string.Join(", ", FreeByZone(m).Select(z => $"zone {z.Zone}: {z.Pages}")));
        var census = m.Census();
        t.Line($"Census ({census.TotalRamPages} RAM pages):");
        t.Write(CensusTable(("pages", census)));
        t.Line("CPUs: " + string.Join(", ", m.Cpus.Select(c => $"cpu{c.Id} root {c.Root}")));
        var audit = m.Audit();
        t.Line(audit.Count == 0 ? "Audit: clean" : $"Audit: {audit.Count} violation(s)");
        foreach (var v in audit)
        {
            t.Line($"  {v}");
        }
    }

    /// <summary>The virtual layout's regions: name, start, last address (with <paramref name="last"/>), size, what it holds.</summary>
    public static Table LayoutTable(XenMachine m, bool last)
    {
        var table = last ? Tables.New("region", "start", "last", ">size", "holds") : Tables.New("region", "start", ">size", "holds");
        foreach (var r in m.Layout.Regions)
        {
            if (last)
            {
                table.Row(r.Name, $"{r.Start.Value:x16}", $"{r.Last.Value:x16}", ByteSize.Format(r.Size), r.Description);
            }
            else
            {
                table.Row(r.Name, $"{r.Start.Value:x16}", ByteSize.Format(r.Size), r.Description);
            }
        }

        return table;
    }

    /// <summary>Pages per census category (those with any pages in some column), one column per census.</summary>
    public static Table CensusTable(params (string Title, MachineCensus Census)[] columns)
    {
        var table = Tables.New(["category", .. columns.Select(c => ">" + c.Title)]);
        foreach (var use in Enum.GetValues<PageUse>().Where(u => columns.Any(c => c.Census[u] != 0)))
        {
            table.Row([Snake(use.ToString()), .. columns.Select(c => (object)c.Census[use])]);
        }

        return table;
    }

    public static void WriteJson(XenMachine m, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("arch", m.Architecture.Name);
        w.WriteString("profile", m.Profile == XenProfile.Xen2013 ? "2013" : "current");
        w.WriteString("command_line", m.CommandLine.Text);
        w.WriteStartArray("banks");
        foreach (var b in m.Options.Ram.OrderBy(b => b.Start.Value))
        {
            w.WriteStartObject();
            Hex(w, "start", b.Start.Value);
            Hex(w, "size", b.Size);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("modules");
        foreach (var mod in m.Options.Modules)
        {
            w.WriteStartObject();
            w.WriteString("kind", mod.KindName);
            Hex(w, "start", mod.Start.Value);
            Hex(w, "size", mod.Size);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (m.HeapModel.XenheapRange is { } xh)
        {
            w.WriteStartObject("xenheap");
            Hex(w, "mfn_start", xh.Start.Value);
            Hex(w, "mfn_end", xh.End.Value);
            w.WriteNumber("pages", xh.Pages);
            Hex(w, "virt_start", m.HeapModel.XenheapVirtStart.Value);
            w.WriteEndObject();
        }
        else
        {
            var (s, e) = RamSpan(m);
            w.WriteStartObject("directmap");
            Hex(w, "virt_start", m.HeapModel.XenheapVirtStart.Value);
            Hex(w, "mfn_start", s.Value);
            Hex(w, "mfn_end", e.Value);
            w.WriteEndObject();
        }

        var chunks = m.BootAllocator.Allocations.Where(a => a.Use == PageUse.FrameTable).ToList();
        if (chunks.Count > 0)
        {
            w.WriteStartObject("frametable");
            Hex(w, "mfn_start", chunks[0].Mfn.Value);
            w.WriteNumber("pages", chunks.Aggregate(0UL, (sum, c) => sum + c.Pages));
            Hex(w, "virt_start", m.Layout["FRAMETABLE_VIRT_START"].Start.Value);
            w.WriteNumber("chunks", chunks.Count);
            w.WriteEndObject();
        }

        w.WriteStartObject("free_pages_by_zone");
        foreach (var (zone, pages) in FreeByZone(m))
        {
            w.WriteNumber(zone.ToString(System.Globalization.CultureInfo.InvariantCulture), pages);
        }

        w.WriteEndObject();
        var census = m.Census();
        w.WriteStartObject("census");
        foreach (var (use, pages) in census.Pages)
        {
            w.WriteNumber(Snake(use.ToString()), pages);
        }

        w.WriteEndObject();
        w.WriteStartArray("init_boot_pages");
        foreach (var r in m.BootAllocator.Inits)
        {
            Range(w, r);
        }

        w.WriteEndArray();
        w.WriteStartArray("boot_allocations");
        foreach (var a in m.BootAllocator.Allocations)
        {
            w.WriteStartObject();
            Hex(w, "mfn", a.Mfn.Value);
            w.WriteNumber("pages", a.Pages);
            w.WriteNumber("align", a.Align);
            w.WriteString("use", Snake(a.Use.ToString()));
            w.WriteString("purpose", a.Purpose);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("boot_regions");
        foreach (var r in m.BootRegionsAtEnd)
        {
            Range(w, r);
        }

        w.WriteEndArray();
        w.WriteStartArray("cpus");
        foreach (var c in m.Cpus)
        {
            w.WriteStartObject();
            w.WriteNumber("id", c.Id);
            Hex(w, "root", c.Root.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("log");
        foreach (var line in m.BootLog)
        {
            w.WriteStringValue(line.ToString());
        }

        w.WriteEndArray();
        w.WriteStartArray("audit_violations");
        foreach (var v in m.Audit())
        {
            w.WriteStringValue(v.ToString());
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static (Mfn Start, Mfn End) RamSpan(XenMachine m) =>
        (m.Memory.Banks.Min(b => b.StartMfn), new Mfn(m.Memory.Banks.Max(b => b.End) >> Addressing.PageShift));

    private static IEnumerable<(int Zone, ulong Pages)> FreeByZone(XenMachine m) =>
        Enumerable.Range(0, m.Heap.NrZones).Select(z => (z, m.Heap.AvailHeapPages(z, z))).Where(z => z.Item2 != 0);

    private static void Hex(Utf8JsonWriter w, string name, ulong value) => w.WriteString(name, $"0x{value:x}");

    private static void Range(Utf8JsonWriter w, MfnRange r)
    {
        w.WriteStartObject();
        Hex(w, "mfn_start", r.Start.Value);
        Hex(w, "mfn_end", r.End.Value);
        w.WriteEndObject();
    }

    internal static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

using System.IO.Hashing;
using XenMm.Arm64.PageTables;
using XenMm.Audit;
using XenMm.Domains;
using XenMm.Heap;
using XenMm.Memory;
using XenMm.PageTables;
using XenMm.VirtualMapping;

namespace XenMm.Arm64.Tests.Hardening;

/// <summary>
/// One small host for the API fuzz and the regression tests: RAM at 0x8000_0000, the buddy heap over all of it,
/// the domheap, heap-backed Xen page tables and vmap, two domains; plus what the caller (the test) holds.
/// </summary>
internal sealed class FuzzMachine
{
    public const ulong RamStart = 0x8000_0000;
    public const ulong FirstMfn = RamStart >> 12;
    public const ulong VmapStart = 0x0000_0A00_0000_0000;
    public const ulong VmapSize = 16UL << 20;
    public const ulong Window = 0x0000_0B00_0000_0000;

    public FuzzMachine(ulong pages = 256, XenProfile profile = XenProfile.Current)
    {
        Pages = pages;
        Memory = new PhysicalMemory([new RamBank(new PhysAddr(RamStart), pages << 12)], 48);
        Heap = new BuddyHeap(Memory, HeapConfig.For(64, profile));
        Heap.InitHeapPages(new Mfn(FirstMfn), pages);
        Domheap = new Domheap(Heap);
        Frames = new DomheapFrameAllocator(Domheap);
        Xen = XenMappings<Vmsa64Format>.Create(Memory, Frames, profile);
        Vmap = new Vmap(Xen, Memory, Frames);
        Vmap.Init(VmapRegion.Default, new VirtAddr(VmapStart), new VirtAddr(VmapStart + VmapSize));
        Domains = [new Domain(1, 64), new Domain(2, 8)];
    }

    public ulong Pages { get; }

    public PhysicalMemory Memory { get; }

    public BuddyHeap Heap { get; }

    public Domheap Domheap { get; }

    public DomheapFrameAllocator Frames { get; }

    public XenMappings<Vmsa64Format> Xen { get; }

    public Vmap Vmap { get; }

    public Domain[] Domains { get; }

    /// <summary>Chunks the caller allocated through the heap or the domheap and still holds.</summary>
    public List<(ulong Mfn, int Order)> Chunks { get; } = [];

    /// <summary>vmap areas the caller holds: (VA, made by vmalloc).</summary>
    public List<(ulong Va, bool Malloc)> Areas { get; } = [];

    /// <summary>True once <see cref="VmapRegion.Xen"/> is initialised (the default region is from the start).</summary>
    public bool XenRegion { get; set; }

    /// <summary>The VA ranges of the initialised vmap regions' mapped bitmap pages (one bit a page of the region).</summary>
    public IEnumerable<(ulong Start, ulong End)> BitmapRanges()
    {
        foreach (var region in XenRegion ? new[] { VmapRegion.Default, VmapRegion.Xen } : [VmapRegion.Default])
        {
            var state = Vmap.GetState(region);
            var bytes = ((ulong)state.Top + 7) / 8;
            yield return (state.Base.Value, state.Base.Value + ((bytes + 0xFFF) & ~0xFFFUL));
        }
    }

    public ulong HeldPages => Chunks.Aggregate(0UL, (s, c) => s + (1UL << c.Order));

    /// <summary>Everything a refused call must leave as it was.</summary>
    public Snapshot Take()
    {
        // RAM bytes: every backed chunk's part inside RAM that is not all zero (an unbacked chunk reads as zeros).
        var ram = 0UL;
        foreach (var (start, bytes) in Memory.EnumerateBackedChunks())
        {
            var lo = Math.Max(start.Value, RamStart);
            var hi = Math.Min(start.Value + (ulong)bytes.Length, RamStart + (Pages << 12));
            if (lo >= hi)
            {
                continue;
            }

            var part = bytes.Span.Slice((int)(lo - start.Value), (int)(hi - lo));
            if (part.IndexOfAnyExcept((byte)0) >= 0)
            {
                ram = (ram * 31) + (lo ^ XxHash3.HashToUInt64(part));
            }
        }

        var domains = string.Join(";", Domains.Select(d => $"{d.TotPages},{d.MaxPages},{d.ExtraPages},{d.OutstandingPages},{d.IsDying},{d.LastAllocNode}"));
        var tables = Xen.Tables.TablePages;
        var vmap = Vmap.GetState(VmapRegion.Default);
        var xen = XenRegion ? Vmap.GetState(VmapRegion.Xen) : default;
        return new Snapshot(Heap.FullStateHash(), ram, domains, tables.Count, tables.Aggregate(0UL, (h, m) => (h * 31) + m.Value), Frames.Allocated, vmap, xen);
    }

    /// <summary>
    /// The state after the last call <see cref="ApiFuzz.Check"/> ran, which is the state before the next one as long
    /// as the machine changes only through <see cref="ApiFuzz.Check"/>: one <see cref="Take"/> per call, not two.
    /// </summary>
    public Snapshot? Last { get; set; }

    // The parts of the last snapshot whose audits came out clean: an audit reads only these, so while they are
    // unchanged its answer is too, and it is not run again (the heap audit: the heap and the domains; the table
    // audit: the table pages, the RAM bytes and the frame count).
    private (ulong Heap, string Domains)? _heapClean;
    private (int Count, ulong Hash, ulong Ram, int Frames)? _tablesClean;

    /// <summary>What must hold after every accepted call: clean audits and every page accounted for.</summary>
    /// <param name="now">The snapshot of the current state, when the caller has it: audits whose inputs it shows unchanged since they were last clean are skipped.</param>
    public string? Violations(Snapshot? now = null)
    {
        var heapKey = now is { } h ? (h.Heap, h.Domains) : default((ulong, string)?);
        if (heapKey is null || heapKey != _heapClean)
        {
            var heap = new HeapAudit(Heap, Domains).Run();
            if (heap.Count != 0)
            {
                return "heap audit: " + string.Join("; ", heap.Take(5));
            }

            _heapClean = heapKey;
        }

        var tablesKey = now is { } t ? (t.TableCount, t.TableHash, t.Ram, t.Frames) : default((int, ulong, ulong, int)?);
        if (tablesKey is null || tablesKey != _tablesClean)
        {
            var tables = Xen.Tables.Audit();
            if (!tables.IsClean)
            {
                return "table audit: " + string.Join("; ", tables.Problems.Take(5));
            }

            _tablesClean = tablesKey;
        }

        var owned = Domains.Aggregate(0UL, (s, d) => s + d.TotPages + d.ExtraPages);
        var accounted = Heap.TotalAvailPages + HeldPages + (ulong)Frames.Allocated;
        if (accounted != Pages)
        {
            return $"page accounting: free {Heap.TotalAvailPages} + held {HeldPages} + frames {Frames.Allocated} = {accounted}, RAM {Pages} (domains own {owned})";
        }

        return null;
    }

    /// <summary>True when the chunk has an in-use page the caller does not hold as exactly this chunk: freeing or assigning it would be the caller's own use-after-free, outside the contract.</summary>
    public bool TouchesOthers(ulong mfn, int order)
    {
        if (order is < 0 or > 18 || mfn < FirstMfn || mfn >= FirstMfn + Pages || (mfn & ((1UL << order) - 1)) != 0)
        {
            return false; // refused on its face
        }

        if (Chunks.Contains((mfn, order)))
        {
            return false;
        }

        for (var p = mfn; p < Math.Min(mfn + (1UL << order), FirstMfn + Pages); p++)
        {
            if (!Heap.GetPage(new Mfn(p)).IsFree)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when a page of <c>[mfn, mfn + pages)</c> in RAM is in use and not inside a chunk the caller holds
    /// (with <paramref name="ignoreOwned"/>, pages a domain owns do not count).
    /// </summary>
    public bool TouchesOthersRange(ulong mfn, ulong pages, bool ignoreOwned = false)
    {
        for (var p = Math.Max(mfn, FirstMfn); p < FirstMfn + Pages && p - mfn < pages; p++)
        {
            var page = Heap.GetPage(new Mfn(p));
            if (!page.IsFree && !(ignoreOwned && page.OwnerId is not null) && !Chunks.Any(c => p - c.Mfn < (1UL << c.Order)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// After the heap took <c>[mfn, mfn + pages)</c> back (<c>InitHeapPages</c>): the caller no longer holds those
    /// pages, so each held chunk they overlap is replaced by the aligned chunks of what is left of it.
    /// </summary>
    public void GiveBack(ulong mfn, ulong pages)
    {
        var end = mfn + pages < mfn ? ulong.MaxValue : mfn + pages;
        for (var i = Chunks.Count - 1; i >= 0; i--)
        {
            var (s, order) = Chunks[i];
            var e = s + (1UL << order);
            if (e <= mfn || s >= end)
            {
                continue;
            }

            Chunks.RemoveAt(i);
            AddAligned(s, Math.Min(e, Math.Max(s, mfn)));
            AddAligned(Math.Max(s, Math.Min(e, end)), e);
        }
    }

    private void AddAligned(ulong s, ulong e)
    {
        while (s < e)
        {
            var order = Math.Min(System.Numerics.BitOperations.TrailingZeroCount(s), 63 - System.Numerics.BitOperations.LeadingZeroCount(e - s));
            Chunks.Add((s, order));
            s += 1UL << order;
        }
    }

    /// <summary>True when a page of the chunk belongs to a domain.</summary>
    public bool AnyOwned(ulong mfn, int order)
    {
        for (var p = mfn; p < mfn + (1UL << order); p++)
        {
            if (Heap.GetPage(new Mfn(p)).OwnerId is not null)
            {
                return true;
            }
        }

        return false;
    }

    internal readonly record struct Snapshot(ulong Heap, ulong Ram, string Domains, int TableCount, ulong TableHash, int Frames, VmapRegionState Vmap, VmapRegionState XenVmap);
}

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

    public ulong HeldPages => Chunks.Aggregate(0UL, (s, c) => s + (1UL << c.Order));

    /// <summary>Everything a refused call must leave as it was.</summary>
    public Snapshot Take()
    {
        var ram = Memory.EnumerateBackedChunks().Where(c => c.Start.Value <= RamStart && RamStart < c.Start.Value + (ulong)c.Bytes.Length)
            .Select(c => XxHash3.HashToUInt64(c.Bytes.Span.Slice((int)(RamStart - c.Start.Value), (int)(Pages << 12))))
            .FirstOrDefault();
        var domains = string.Join(";", Domains.Select(d => $"{d.TotPages},{d.MaxPages},{d.ExtraPages},{d.OutstandingPages},{d.IsDying},{d.LastAllocNode}"));
        var tables = Xen.Tables.TablePages;
        var vmap = Vmap.GetState(VmapRegion.Default);
        return new Snapshot(Heap.FullStateHash(), ram, domains, tables.Count, tables.Aggregate(0UL, (h, m) => (h * 31) + m.Value), Frames.Allocated, vmap);
    }

    /// <summary>What must hold after every accepted call: clean audits and every page accounted for.</summary>
    public string? Violations()
    {
        var heap = new HeapAudit(Heap, Domains).Run();
        if (heap.Count != 0)
        {
            return "heap audit: " + string.Join("; ", heap.Take(5));
        }

        var tables = Xen.Tables.Audit();
        if (!tables.IsClean)
        {
            return "table audit: " + string.Join("; ", tables.Problems.Take(5));
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

    /// <summary>True when a page of <c>[mfn, mfn + pages)</c> in RAM is in use and not inside a chunk the caller holds.</summary>
    public bool TouchesOthersRange(ulong mfn, ulong pages)
    {
        for (var p = Math.Max(mfn, FirstMfn); p < FirstMfn + Pages && p - mfn < pages; p++)
        {
            if (!Heap.GetPage(new Mfn(p)).IsFree && !Chunks.Any(c => p - c.Mfn < (1UL << c.Order)))
            {
                return true;
            }
        }

        return false;
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

    internal readonly record struct Snapshot(ulong Heap, ulong Ram, string Domains, int TableCount, ulong TableHash, int Frames, VmapRegionState Vmap);
}

using System.Numerics;
using System.Runtime.CompilerServices;
using XenMm.Frames;
using XenMm.Memory;

namespace XenMm.Heap;

/// <summary>
/// Xen's buddy heap (common/page_alloc.c): <c>heap(node, zone, order)</c> free lists linked through the frame
/// table, <c>avail[node][zone]</c>, <c>total_avail_pages</c>, claims, lazy scrubbing, and the
/// <c>init_heap_pages</c> / <c>alloc_heap_pages</c> / <c>free_heap_pages</c> rules of xen-mm.md §2. One lock
/// (Xen's <c>heap_lock</c>) guards every operation; all public members are thread-safe.
/// </summary>
public sealed partial class BuddyHeap
{
    private readonly FrameTable _ft;
    private readonly PageList[] _lists;
    private readonly ulong[] _avail;
    private readonly ulong[] _zoneMask; // per node: bit z set iff avail[node][z] != 0 (NR_ZONES <= 41 fits a word)
    private readonly ulong[] _nodeAvail;
    private readonly ulong[] _nodeNeedScrub;
    private readonly bool[] _nodeInitialised;
    private bool _everFreed; // a page has entered the buddy allocator: the xenheap range can no longer move
    private readonly int _maxOrder;
    private readonly int _nrZones;
    private readonly int _orders;
    private readonly int _nodes;
    private readonly uint _invalidDirty;
    private readonly bool _tailOnFree; // [2013]: page_list_add_tail for every freed chunk
    private readonly bool _foreignLists; // [2013]: MFN 0 is in the heap, so a chunk may sit on another zone's list
    private XenSpinlock _lock = new(); // Xen's heap_lock (a struct: never readonly, never copied)
    private ulong _total;
    private ulong _outstandingClaims;
    private ulong _xenLo;
    private ulong _xenHi; // [_xenLo, _xenHi): arm32's address-based xenheap (zone 0); empty by default

    /// <summary>Creates an empty heap (every page in use, as Xen's zeroed frame table) over RAM banks.</summary>
    public BuddyHeap(IEnumerable<RamBank> banks, HeapConfig config)
        : this(new FrameTable(banks, config))
    {
    }

    /// <summary>Creates an empty heap over the RAM of <paramref name="memory"/>; scrubbing writes zeroes into it.</summary>
    public BuddyHeap(PhysicalMemory memory, HeapConfig config)
        : this(new FrameTable(memory?.Banks ?? throw new ArgumentNullException(nameof(memory)), config))
    {
        Memory = memory;
    }

    /// <summary>Creates an empty heap over an existing frame table.</summary>
    public BuddyHeap(FrameTable frameTable)
    {
        ArgumentNullException.ThrowIfNull(frameTable);
        _ft = frameTable;
        Config = frameTable.Config;
        _maxOrder = Config.MaxOrder;
        _nrZones = Config.NrZones;
        _orders = _maxOrder + 1;
        _nodes = Config.Nodes;
        _invalidDirty = Config.InvalidDirtyIdx;
        _tailOnFree = Config.Profile == XenProfile.Xen2013;
        _foreignLists = Config.Profile == XenProfile.Xen2013;
        _lists = new PageList[_nodes * _nrZones * _orders];
        _lists.AsSpan().Fill(new PageList { Head = PageList.Nil, Tail = PageList.Nil });
        _avail = new ulong[_nodes * _nrZones];
        _zoneMask = new ulong[_nodes];
        _nodeAvail = new ulong[_nodes];
        _nodeNeedScrub = new ulong[_nodes];
        _nodeInitialised = new bool[_nodes];
    }

    /// <summary>The heap constants.</summary>
    public HeapConfig Config { get; }

    /// <summary>The frame table the heap links its lists through.</summary>
    public FrameTable FrameTable => _ft;

    /// <summary>Simulated memory scrubbed pages are zeroed in, when the heap was built over one.</summary>
    public PhysicalMemory? Memory { get; }

    /// <summary>MAX_ORDER.</summary>
    public int MaxOrder => _maxOrder;

    /// <summary>NR_ZONES.</summary>
    public int NrZones => _nrZones;

    /// <summary>
    /// Marks <c>[start, end)</c> as xenheap for zoning: Xen's arm32 <c>is_xen_heap_page</c> is address based
    /// (<c>directmap_mfn_start ≤ mfn &lt; directmap_mfn_end</c>), so those pages live in zone 0 (MEMZONE_XEN).
    /// The unified (arm64) model leaves this empty: its PGC_xen_heap flag is never set on a free page.
    /// Call before the range is given to the heap.
    /// </summary>
    /// <exception cref="XenMmException">The range is backwards, or pages were already given to the heap (even if all are allocated now).</exception>
    public void SetXenheapRange(Mfn start, Mfn end)
    {
        if (end < start)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Xenheap range [{start}, {end}) is backwards.");
        }

        using (_lock.EnterScope())
        {
            // Not only "no page free": once pages have been in the heap, allocated chunks may straddle the new edges
            // and their frees would merge across zones (fuzz seeds 1 and 74, with every page allocated).
            if (_total != 0 || _everFreed)
            {
                throw new XenMmException(MmError.InvalidState, $"Xenheap range [{start}, {end}) must be set before the heap is given pages ({_total} free now).");
            }

            _xenLo = start.Value;
            _xenHi = end.Value;
        }
    }

    /// <summary>
    /// Sets or clears <c>PGC_xen_heap</c> on the in-use pages <c>[mfn, mfn + 2^order)</c>: the unified-heap
    /// (arm64) model's flag, set by <c>alloc_xenheap_pages</c> after allocation and cleared by
    /// <c>free_xenheap_pages</c> before the pages are freed, so free pages never carry it and zone 0 stays empty.
    /// </summary>
    /// <exception cref="XenMmException">A page is free or outside RAM, or the order/alignment is wrong; nothing changes.</exception>
    public void SetXenHeapFlag(Mfn mfn, int order, bool value)
    {
        using (_lock.EnterScope())
        {
            uint idx = ValidateFree(mfn, order);
            ulong flag = Config.PageCount.XenHeap;
            for (uint i = 0; i < (1u << order); i++)
            {
                ref var c = ref _ft.Cold(idx + i);
                c.CountInfo = value ? c.CountInfo | flag : c.CountInfo & ~flag;
            }
        }
    }

    /// <summary>Xen's <c>is_xen_heap_page</c>: address-based (split model, <see cref="SetXenheapRange"/>) or flag-based (PGC_xen_heap).</summary>
    public bool IsXenHeapPage(Mfn mfn)
    {
        if (IsXenHeapMfn(mfn))
        {
            return true;
        }

        using (_lock.EnterScope())
        {
            return _ft.TryToIdx(mfn.Value, out uint idx) && (_ft.ColdOrDefault(idx).CountInfo & Config.PageCount.XenHeap) != 0;
        }
    }

    /// <summary>Xen's <c>is_xen_heap_mfn</c> for the address-based (split) model.</summary>
    public bool IsXenHeapMfn(Mfn mfn) => mfn.Value - _xenLo < _xenHi - _xenLo;

    /// <summary>
    /// Xen's <c>page_to_zone</c>: MEMZONE_XEN (0) for a xenheap page, otherwise <c>flsl(mfn)</c>, with 1 for
    /// MFN 0 (4.4 and now; the 4.3 <c>fls - 1</c> formula is not modelled).
    /// </summary>
    public int ZoneOf(Mfn mfn) => ZoneOfMfn(mfn.Value);

    /// <summary>Xen's <c>bits_to_zone</c>: 1 below 13 bits, else bits − 12 (the highest zone below 2^bits bytes).</summary>
    public static int BitsToZone(int bits) => bits < Addressing.PageShift + 1 ? 1 : bits - Addressing.PageShift;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ZoneOfMfn(ulong mfn)
    {
        if (mfn - _xenLo < _xenHi - _xenLo)
        {
            return 0;
        }

        int z = 64 - BitOperations.LeadingZeroCount(mfn);
        return z == 0 ? 1 : z;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ListIndex(int node, int zone, int order) => ((node * _nrZones) + zone) * _orders + order;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ListAddHead(ref PageList l, uint i, ref HotEntry e)
    {
        e.Prev = PageList.Nil;
        e.Next = l.Head;
        if (l.Head != PageList.Nil)
        {
            _ft.Hot(l.Head).Prev = i;
        }
        else
        {
            l.Tail = i;
        }

        l.Head = i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ListAddTail(ref PageList l, uint i, ref HotEntry e)
    {
        e.Next = PageList.Nil;
        e.Prev = l.Tail;
        if (l.Tail != PageList.Nil)
        {
            _ft.Hot(l.Tail).Next = i;
        }
        else
        {
            l.Head = i;
        }

        l.Tail = i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ListDel(ref PageList l, uint i, ref HotEntry e)
    {
        uint n = e.Next, p = e.Prev;
        if (p != PageList.Nil)
        {
            _ft.Hot(p).Next = n;
        }
        else
        {
            l.Head = n;
        }

        if (n != PageList.Nil)
        {
            _ft.Hot(n).Prev = p;
        }
        else
        {
            l.Tail = p;
        }
    }

    // [2013] The list a free head of this order is actually on. Xen 4.4 lets MFN 0 into the heap and merges
    // without a zone check (free_heap_pages), so the chunk at MFN 0 spans zones and lands on the list of the zone
    // of the page freed last, and splits of it (alloc_heap_pages) leave lower halves on that zone's lists too. On
    // ARM, page_list_del is list_del (page_list_entry is a list_head): it unlinks the page from whichever list
    // holds it, whatever head it is passed. A chunk linked on both sides is unlinked by its links alone; a list's
    // head or tail is found by looking at that order's lists of every zone of the node, expected zone first.
    [MethodImpl(MethodImplOptions.NoInlining)] // off the current profile's merge loop
    private ref PageList ListHolding(int node, int order, uint i, ref HotEntry e, ref PageList expected)
    {
        bool head = e.Prev == PageList.Nil, tail = e.Next == PageList.Nil;
        if ((!head && !tail) || (head ? expected.Head == i : expected.Tail == i))
        {
            return ref expected;
        }

        for (int z = 0; z < _nrZones; z++)
        {
            ref var l = ref _lists[ListIndex(node, z, order)];
            if (head ? l.Head == i : l.Tail == i)
            {
                return ref l;
            }
        }

        return ref expected; // not reached: every free head is on exactly one list (audit check 2)
    }

    // Xen: page_list_add_scrub: set PFN_ORDER, first_dirty and scrub_state; clean chunks to the list head,
    // dirty chunks to the tail ([2013]: every chunk to the tail).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddChunk(uint idx, int node, int zone, int order, uint firstDirty)
    {
        ref var e = ref _ft.SetFreeHead(idx, order);
        e.FirstDirty = firstDirty;
        e.ScrubState = 0;
        e.Node = (byte)node;
        ref var l = ref _lists[ListIndex(node, zone, order)];
        if (firstDirty == _invalidDirty && !_tailOnFree)
        {
            ListAddHead(ref l, idx, ref e);
        }
        else
        {
            ListAddTail(ref l, idx, ref e);
        }
    }
}

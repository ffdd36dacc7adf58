using XenMm.Memory;
using XenMm.PageTables;

namespace XenMm.VirtualMapping;

/// <summary>
/// Xen's vmap (<c>xen/common/vmap.c</c>): a bitmap allocator of virtual pages per region, whose bitmap lives in
/// the region's own first pages (mapped through <see cref="IXenMappings"/>, bits in simulated memory), and the
/// mapping calls built on it: <c>vmap</c>, <c>vmap_contig</c>, <c>vunmap</c>, <c>vmalloc</c>, <c>vzalloc</c>,
/// <c>vfree</c> and ARM's <c>ioremap_attr</c> family.
/// </summary>
/// <remarks>
/// Every allocation is a run of set bits preceded by a clear guard bit. Where Xen returns NULL, the
/// <c>Try</c> methods return false; where Xen would BUG, a <see cref="XenMmException"/> is thrown.
/// With <see cref="XenProfile.Xen2013"/> mappings, <see cref="Init"/> builds real leaf mappings of MFN 0, 1, 2...
/// over the rest of the bitmap area, as 2013 ARM Xen did, so the bitmap cannot grow past its first page.
/// </remarks>
public sealed partial class Vmap
{
    private const int BitsPerPage = (int)Addressing.PageSize * 8;

    private readonly IXenMappings _mappings;
    private readonly PhysicalMemory _memory;
    private readonly IFrameAllocator _pages;
    private readonly Region?[] _regions = new Region?[2];
    private readonly Lock _vmLock = new();

    // The frames of each live vmalloc allocation, by VA: vfree frees exactly these, after checking that each page
    // still maps its frame (Xen trusts vmap_to_page and frees whatever the tables say).
    private readonly Dictionary<ulong, Mfn[]> _vmallocs = [];

    /// <summary>Creates vmap over <paramref name="mappings"/>, taking bitmap and vmalloc pages from <paramref name="pages"/> (Xen: the domheap).</summary>
    public Vmap(IXenMappings mappings, PhysicalMemory memory, IFrameAllocator pages)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(pages);
        _mappings = mappings;
        _memory = memory;
        _pages = pages;
    }

    /// <summary>
    /// Xen's <c>vm_init_type(type, start, end)</c>: sizes the bitmap, maps and clears its first page(s), marks the
    /// bitmap's own pages allocated and prepares the tables for the rest of the bitmap area
    /// (<c>populate_pt_range</c>; in the 2013 profile real leaf mappings of MFN 0, 1, 2...).
    /// </summary>
    /// <exception cref="XenMmException">The region is already initialised, misaligned or empty, or no page is left (Xen: BUG_ON).</exception>
    public void Init(VmapRegion type, VirtAddr start, VirtAddr end)
    {
        if (!start.IsPageAligned || !end.IsPageAligned)
        {
            throw new XenMmException(MmError.Misaligned, $"vmap region [{start}, {end}) is not page-aligned.");
        }

        if (end <= start || ((end - start) >> Addressing.PageShift) > uint.MaxValue)
        {
            throw new XenMmException(MmError.InvalidArgument, $"vmap region [{start}, {end}) is empty or too large.");
        }

        CheckRegion(type);
        lock (_vmLock)
        {
            if (_regions[(int)type] is not null)
            {
                throw new XenMmException(MmError.InvalidState, $"vmap region {type} is already initialised (Xen: ASSERT(!vm_base[type])).");
            }

            var region = new Region(start.Value, (uint)((end - start) >> Addressing.PageShift));
            region.Low = (uint)PagesFor(DivRoundUp(region.End, 8));
            var nr = (uint)PagesFor(DivRoundUp(region.Low, 8));

            // Xen: vm_top is not clamped to vm_end here, so a region smaller than 128 MiB searches past its end.
            region.Top = nr * BitsPerPage;

            // Check before acting: the bitmap pages (and in 2013 the rest of the bitmap area) must be unmapped.
            var checkedPages = _mappings.Profile == XenProfile.Xen2013 ? region.Low : nr;
            for (var i = 0u; i < checkedPages; i++)
            {
                var at = new VirtAddr(start.Value + ((ulong)i << Addressing.PageShift));
                if (_mappings.Translate(at).Fault is not (FaultKind.Translation or FaultKind.ExternalAbort))
                {
                    throw new XenMmException(MmError.AlreadyMapped, $"vmap region {type}: the bitmap VA {at} is already mapped.");
                }
            }

            // The bitmap pages and the tables for the whole bitmap area (the bitmap's own mappings and the populate
            // after them) must all be there before anything is taken: a rollback would not give the heap back as it was.
            ulong tables = 0;
            var shared = false;
            if (_mappings is ITableReservation reservation)
            {
                tables = reservation.TablesToPopulate(start, region.Low);
                shared = reservation.TakesFramesFrom(_pages);
                if (!shared && reservation.TableFramesAvailable < tables)
                {
                    throw new XenMmException(MmError.OutOfMemory, $"No pages for the {tables} tables of the vmap bitmap of region {type} (Xen: populate_pt_range fails, BUG_ON in vm_init_type).");
                }
            }

            if (_pages.Available < nr + (shared ? tables : 0))
            {
                throw new XenMmException(MmError.OutOfMemory, $"No pages for the vmap bitmap of region {type}: {nr} bitmap pages{(shared ? $" and {tables} tables" : "")} (Xen: BUG_ON in vm_init_type).");
            }

            var frames = new List<Mfn>((int)nr);
            var va = start.Value;
            try
            {
                for (var i = 0u; i < nr; i++, va += Addressing.PageSize)
                {
                    if (!_pages.TryAllocate(out var mfn))
                    {
                        throw new XenMmException(MmError.OutOfMemory, $"No page for the vmap bitmap at VA {new VirtAddr(va)} (Xen: BUG_ON in vm_init_type).");
                    }

                    frames.Add(mfn);
                    _mappings.Map(new VirtAddr(va), mfn, 1, PageFlags.Hypervisor);
                }

                if (_mappings.Profile == XenProfile.Xen2013)
                {
                    // Xen 4.3/4.4: map_pages_to_xen(va, 0, vm_low - nr, MAP_SMALL_PAGES) built valid leaves of MFN 0, 1, 2...
                    _mappings.Map(new VirtAddr(va), new Mfn(0), region.Low - nr, PageFlags.Hypervisor);
                }
                else
                {
                    _mappings.Populate(new VirtAddr(va), region.Low - nr);
                }
            }
            catch (XenMmException)
            {
                // Only reached when memory runs out under another thread's feet: give back what was taken.
                _mappings.Destroy(start, new VirtAddr(start.Value + ((ulong)frames.Count << Addressing.PageShift)));
                FreePages(frames.ToArray());
                throw;
            }

            foreach (var mfn in frames)
            {
                _memory.ZeroPage(mfn);
            }

            _regions[(int)type] = region;
            for (var bit = 0u; bit < region.Low; bit++)
            {
                WriteBit(region, bit, true);
            }
        }
    }

    /// <summary>The allocator registers of <paramref name="type"/>.</summary>
    /// <exception cref="XenMmException">The region is not initialised.</exception>
    public VmapRegionState GetState(VmapRegion type)
    {
        lock (_vmLock)
        {
            var r = RegionOf(type) ?? throw new XenMmException(MmError.InvalidState, $"vmap region {type} is not initialised.");
            return new VmapRegionState(new VirtAddr(r.Base), r.End, r.Low, r.Top);
        }
    }

    /// <summary>
    /// Xen's <c>vm_alloc(nr, align, type)</c>: the first fit above <c>vm_low</c> that leaves a clear guard bit before
    /// it, growing the bitmap by one page when nothing fits. False when the region is full or not initialised.
    /// </summary>
    public bool TryAlloc(uint nr, uint align, VmapRegion type, out VirtAddr va)
    {
        va = default;
        align = align == 0 ? 1 : align & (uint)-(int)align;
        lock (_vmLock)
        {
            var t = RegionOf(type);
            if (t is null || nr == 0)
            {
                return false;
            }

            uint start;
            for (; ; )
            {
                start = Search(t, nr, align);
                if (start < t.Top)
                {
                    break;
                }

                if (t.Top >= t.End || !Grow(t))
                {
                    return false;
                }
            }

            var bit = start;
            for (; bit < start + nr; bit++)
            {
                WriteBit(t, bit, true);
            }

            if (start <= t.Low + 2)
            {
                t.Low = bit;
            }

            va = new VirtAddr(t.Base + ((ulong)start << Addressing.PageShift));
            return true;
        }
    }

    /// <summary>Xen's <c>vm_free(va)</c>: clears the allocation starting at <paramref name="va"/> (either region) and lowers <c>vm_low</c>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.NotAllocated"/> when no allocation starts there (Xen: WARN_ON).</exception>
    public void Free(VirtAddr va)
    {
        lock (_vmLock)
        {
            var (t, bit) = Find(va);
            if (t is null)
            {
                throw new XenMmException(MmError.NotAllocated, $"VA {va} does not start a vmap allocation (Xen: WARN_ON in vm_free).");
            }

            _vmallocs.Remove(va.Value);

            if (bit < t.Low)
            {
                t.Low = bit - 1;
                while (!ReadBit(t, t.Low - 1))
                {
                    t.Low--;
                }
            }

            while (ReadBit(t, bit))
            {
                WriteBit(t, bit, false);
                if (++bit == t.Top)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Xen's <c>vm_size(va, type)</c>: the pages of the allocation starting at <paramref name="va"/>, or 0.</summary>
    public uint Size(VirtAddr va, VmapRegion type)
    {
        lock (_vmLock)
        {
            return RegionOf(type) is { } t ? SizeOf(t, Index(t, va.Value)) : 0;
        }
    }

    /// <summary>Xen's <c>__vmap(mfn, granularity, nr, align, flags, type)</c>: one allocation, each element mapping <paramref name="granularity"/> frames.</summary>
    /// <remarks>False (Xen: NULL) when the region is full or a mapping fails; what was mapped is then removed again.</remarks>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidArgument"/> for an undefined region; <see cref="MmError.InvalidFlags"/> without
    /// <see cref="PageFlags.Present"/> or with <see cref="PageFlags.Populate"/>, <see cref="PageFlags.Block"/> or
    /// <see cref="PageFlags.Contig"/> (vunmap could not remove blocks); nothing changes.
    /// </exception>
    public bool TryMap(ReadOnlySpan<Mfn> mfns, uint granularity, uint align, PageFlags flags, VmapRegion type, out VirtAddr va)
    {
        CheckRegion(type);
        if ((flags & (PageFlags.Present | PageFlags.Populate | PageFlags.Block | PageFlags.Contig)) != PageFlags.Present)
        {
            throw new XenMmException(MmError.InvalidFlags, $"vmap flags 0x{(uint)flags:X}: _PAGE_PRESENT is needed, and _PAGE_POPULATE, _PAGE_BLOCK and _PAGE_CONTIG are refused.");
        }

        va = default;
        var total = (ulong)mfns.Length * granularity;
        if (total == 0 || total > uint.MaxValue || !TryAlloc((uint)total, align, type, out va))
        {
            return false;
        }

        var cur = va;
        foreach (var mfn in mfns)
        {
            try
            {
                _mappings.Map(cur, mfn, granularity, flags);
            }
            catch (XenMmException)
            {
                // Xen: vunmap of the whole area. Only the elements mapped here are removed: they are level-3 leaves
                // without the contiguous hint, so this cannot fail on what made the failing element fail.
                _mappings.Destroy(va, cur);
                Free(va);
                va = default;
                return false;
            }

            cur += (ulong)granularity << Addressing.PageShift;
        }

        return true;
    }

    /// <summary>Xen's <c>vmap(mfn, nr)</c>: one page per frame, PAGE_HYPERVISOR, VMAP_DEFAULT.</summary>
    public bool TryMap(ReadOnlySpan<Mfn> mfns, out VirtAddr va) => TryMap(mfns, 1, 1, PageFlags.Hypervisor, VmapRegion.Default, out va);

    /// <summary>Xen's <c>vmap_contig(mfn, nr)</c>: <paramref name="nr"/> contiguous frames as one element.</summary>
    public bool TryMapContig(Mfn mfn, uint nr, out VirtAddr va) => TryMap([mfn], nr, 1, PageFlags.Hypervisor, VmapRegion.Default, out va);

    /// <summary>Xen's <c>vunmap(va)</c>: <c>destroy_xen_mappings</c> over the allocation, then <c>vm_free</c>.</summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.NotAllocated"/> when no allocation starts at <paramref name="va"/>, or the refusal of
    /// <c>destroy_xen_mappings</c> (a block or contiguous entry put there by other means); nothing changes.
    /// </exception>
    public void Unmap(VirtAddr va)
    {
        lock (_vmLock)
        {
            var (t, bit) = Find(va);
            if (t is null)
            {
                throw new XenMmException(MmError.NotAllocated, $"VA {va} does not start a vmap allocation (Xen: WARN_ON in vm_free).");
            }

            _mappings.Destroy(va, va + ((ulong)SizeOf(t, bit) << Addressing.PageShift));
            Free(va);
        }
    }

    /// <summary>Xen's <c>vmalloc(size)</c> (or <c>vmalloc_xen</c> with <see cref="VmapRegion.Xen"/>): order-0 pages mapped together.</summary>
    /// <remarks>False (Xen: NULL) when pages or virtual space run out; nothing is kept then.</remarks>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for a size of 0 or an undefined region; nothing changes.</exception>
    public bool TryMalloc(ulong size, out VirtAddr va, VmapRegion type = VmapRegion.Default) => TryMallocPages(size, type, out va, out _);

    /// <summary>Xen's <c>vzalloc(size)</c>: <see cref="TryMalloc"/>, then every page cleared.</summary>
    public bool TryZalloc(ulong size, out VirtAddr va)
    {
        if (!TryMallocPages(size, VmapRegion.Default, out va, out var mfns))
        {
            return false;
        }

        foreach (var mfn in mfns)
        {
            _memory.ZeroPage(mfn);
        }

        return true;
    }

    /// <summary>Xen's <c>vfree(va)</c>: unmaps a <see cref="TryMalloc"/> allocation and frees its pages. A zero VA is ignored.</summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.NotAllocated"/> when no vmalloc allocation starts at <paramref name="va"/> (a vmap or
    /// ioremap area included: Xen would free whatever frames it maps); <see cref="MmError.NotMapped"/> when one of
    /// its pages no longer maps the frame vmalloc gave it (unmapped or remapped by other means). Every page is
    /// checked before anything changes.
    /// </exception>
    public void VFree(VirtAddr va)
    {
        if (va.Value == 0)
        {
            return;
        }

        lock (_vmLock)
        {
            var (t, bit) = Find(va);
            if (t is null || !_vmallocs.TryGetValue(va.Value, out var mfns))
            {
                throw new XenMmException(MmError.NotAllocated, t is null
                    ? $"VA {va} does not start a vmalloc allocation (Xen: ASSERT(pages) in vfree)."
                    : $"VA {va} starts a vmap or ioremap area, not a vmalloc one; vunmap it.");
            }

            var pages = SizeOf(t, bit);
            for (var i = 0u; i < pages; i++)
            {
                // Xen: vmap_to_page, a translation of the VA; here it must still be the page vmalloc mapped.
                var at = va + ((ulong)i << Addressing.PageShift);
                var translation = _mappings.Translate(at);
                if (pages != mfns.Length || !translation.TryGetPhysAddr(out var pa) || translation.Level != 3
                    || translation.Attributes.Contiguous || pa.Mfn != mfns[i])
                {
                    throw new XenMmException(MmError.NotMapped, $"vfree({va}): page {i} at VA {at} no longer maps the frame vmalloc gave it ({(translation.IsFault ? $"{translation.Fault} fault" : "remapped")}); nothing was freed.");
                }
            }

            _mappings.Destroy(va, va + ((ulong)pages << Addressing.PageShift));
            Free(va);
            FreePages(mfns);
        }
    }

    /// <summary>
    /// ARM Xen's <c>ioremap_attr(pa, len, flags)</c>: maps the frames covering <c>[pa, pa + len)</c> as one element
    /// and returns the VA of <paramref name="pa"/> itself (the sub-page offset added).
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> when <c>pa + len</c> wraps; the flag errors of <see cref="TryMap(ReadOnlySpan{Mfn}, uint, uint, PageFlags, VmapRegion, out VirtAddr)"/>.</exception>
    public bool TryIoRemap(PhysAddr pa, ulong length, PageFlags flags, out VirtAddr va)
    {
        var offset = pa.PageOffset;
        if (length > ulong.MaxValue - pa.Value)
        {
            throw new XenMmException(MmError.InvalidArgument, $"ioremap of 0x{length:X} bytes at {pa} wraps around the physical address space.");
        }

        var pages = PagesFor(offset + length);
        if (pages > uint.MaxValue || !TryMap([pa.Mfn], (uint)pages, 1, flags, VmapRegion.Default, out va))
        {
            va = default;
            return false;
        }

        va += offset;
        return true;
    }

    /// <summary>Xen's <c>ioremap_nocache</c>: device memory, PAGE_HYPERVISOR_NOCACHE (in 2013, plain <c>ioremap</c>).</summary>
    public bool TryIoRemapNoCache(PhysAddr pa, ulong length, out VirtAddr va) => TryIoRemap(pa, length, PageFlags.HypervisorNoCache, out va);

    /// <summary>Xen's <c>ioremap_cache</c>: normal cacheable memory, PAGE_HYPERVISOR.</summary>
    public bool TryIoRemapCache(PhysAddr pa, ulong length, out VirtAddr va) => TryIoRemap(pa, length, PageFlags.Hypervisor, out va);

    /// <summary>Xen's <c>ioremap_wc</c>: normal non-cacheable (write-combining) memory, PAGE_HYPERVISOR_WC.</summary>
    public bool TryIoRemapWc(PhysAddr pa, ulong length, out VirtAddr va) => TryIoRemap(pa, length, PageFlags.HypervisorWc, out va);

    private static ulong DivRoundUp(ulong value, ulong by) => (value + by - 1) / by;

    // Cannot wrap, unlike (bytes + PAGE_SIZE - 1) / PAGE_SIZE.
    private static ulong PagesFor(ulong bytes) => (bytes >> Addressing.PageShift) + ((bytes & Addressing.PageMask) != 0 ? 1UL : 0);

    private void CheckRegion(VmapRegion type)
    {
        if ((uint)type >= (uint)_regions.Length)
        {
            throw new XenMmException(MmError.InvalidArgument, $"{type} is not a vmap region.");
        }
    }

    private Region? RegionOf(VmapRegion type)
    {
        CheckRegion(type);
        return _regions[(int)type];
    }

    private bool TryMallocPages(ulong size, VmapRegion type, out VirtAddr va, out Mfn[] mfns)
    {
        va = default;
        mfns = [];
        CheckRegion(type);
        if (size == 0)
        {
            throw new XenMmException(MmError.InvalidArgument, "vmalloc of 0 bytes (Xen: ASSERT(size)).");
        }

        var pages = PagesFor(size);
        lock (_vmLock)
        {
            // More pages than the region has bits, or than the allocator holds, can never be mapped: fail before
            // taking any page.
            if (RegionOf(type) is not { } t || pages >= t.End || pages > _pages.Available)
            {
                return false;
            }
        }

        mfns = new Mfn[pages];
        for (var i = 0UL; i < pages; i++)
        {
            if (!_pages.TryAllocate(out mfns[i]))
            {
                FreePages(mfns.AsSpan(0, (int)i));
                return false;
            }
        }

        bool mapped;
        try
        {
            mapped = TryMap(mfns, 1, 1, PageFlags.Hypervisor, type, out va);
        }
        catch (XenMmException)
        {
            FreePages(mfns);
            throw;
        }

        if (!mapped)
        {
            FreePages(mfns);
            return false;
        }

        lock (_vmLock)
        {
            _vmallocs[va.Value] = mfns;
        }

        return true;
    }

    // Xen: the inner loop of vm_alloc. Returns vm_top when nothing fits.
    private uint Search(Region t, uint nr, uint align)
    {
        var start = t.Low;
        while (start < t.Top)
        {
            var bit = NextBit(t, start + 1, set: true);

            // Rounding up from a clear bit skips it: that page is the guard before the allocation.
            start = (start + align) & ~(align - 1);
            if (bit < t.Top)
            {
                if ((ulong)start + nr < bit)
                {
                    return start;
                }

                start = NextBit(t, bit + 1, set: false);
            }
            else
            {
                if ((ulong)start + nr <= bit)
                {
                    return start;
                }

                start = bit;
            }
        }

        return t.Top;
    }

    // Xen: vm_alloc's growth step: one more bitmap page mapped at bitmap + vm_top / 8.
    private bool Grow(Region t)
    {
        if (!_pages.TryAllocate(out var mfn))
        {
            return false;
        }

        try
        {
            _mappings.Map(new VirtAddr(t.Base + (t.Top / 8)), mfn, 1, PageFlags.Hypervisor);
        }
        catch (XenMmException)
        {
            // Xen 2013 on ARM: the bitmap area already holds valid leaves (MFN 0, 1, 2...), so this map fails.
            _pages.Free(mfn);
            return false;
        }

        _memory.ZeroPage(mfn);
        t.Top = (uint)Math.Min((ulong)t.Top + BitsPerPage, t.End);
        return true;
    }

    private void FreePages(ReadOnlySpan<Mfn> mfns)
    {
        for (var i = mfns.Length - 1; i >= 0; i--)
        {
            _pages.Free(mfns[i]);
        }
    }

    private sealed class Region(ulong @base, uint end)
    {
        public ulong Base { get; } = @base;

        public uint End { get; } = end;

        public uint Low { get; set; }

        public uint Top { get; set; }
    }
}

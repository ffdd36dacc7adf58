using Microsoft.Extensions.Logging;
using XenMm.Domains;
using XenMm.Frames;
using XenMm.Heap;
using XenMm.Layout;
using XenMm.Memory;
using XenMm.PageTables;
using XenMm.VirtualMapping;

namespace XenMm.Machine;

/// <summary>
/// The machine being booted, as an architecture plug-in sees it during <see cref="IArchitecture.Boot"/>: its parts,
/// and the generic steps of Xen's boot (common and ARM code that every architecture calls in its own order).
/// Everything built here becomes the machine's only when the whole boot succeeds.
/// </summary>
public sealed class BootContext
{
    private readonly MachineState _state;
    private readonly ILogger? _logger;
    private ulong _imageTop;

    internal BootContext(MachineState state, ILogger? logger)
    {
        _state = state;
        _logger = logger;
        _imageTop = (state.XenImage.Start.Value + state.XenImage.Size) >> Addressing.PageShift;
    }

    /// <summary>The machine's options (Xen's image and the device tree first, as Xen registers modules).</summary>
    public MachineOptions Options => _state.Options;

    /// <summary>The parsed command line.</summary>
    public XenCommandLine CommandLine => _state.CommandLine;

    /// <summary>The profile.</summary>
    public XenProfile Profile => _state.Options.Profile;

    /// <summary>The architecture's layout for this profile.</summary>
    public IAddressSpaceLayout Layout => _state.Layout;

    /// <summary>Simulated RAM.</summary>
    public PhysicalMemory Memory => _state.Memory;

    /// <summary>The frame table (and its PDX map: Xen's <c>init_pdx</c> has run).</summary>
    public FrameTable FrameTable => _state.FrameTable;

    /// <summary>The buddy heap, empty until pages are handed to it.</summary>
    public BuddyHeap Heap => _state.Heap;

    /// <summary>The domheap facade over <see cref="Heap"/>.</summary>
    public Domheap Domheap => _state.Domheap;

    /// <summary>The boot allocator.</summary>
    public BootAllocator BootAllocator => _state.BootAllocator;

    /// <summary>Xen's image (module 0).</summary>
    public BootModule XenImage => _state.XenImage;

    /// <summary>The CPUs registered so far.</summary>
    public IReadOnlyList<MachineCpu> Cpus => _state.Cpus;

    /// <summary>
    /// Frames for Xen's page tables: the boot allocator until <see cref="EndBootAllocator"/>, the domheap afterwards
    /// (Xen: <c>alloc_xen_pagetable</c>).
    /// </summary>
    public IFrameAllocator TableFrames => _state.TableFrames;

    /// <summary>Frames for vmap's bitmap and <c>vmalloc</c>, from the same source as <see cref="TableFrames"/>.</summary>
    public IFrameAllocator VmapFrames => _state.VmapFrames;

    /// <summary>The vmap set up by <see cref="VmInit"/>, or null before it.</summary>
    public Vmap? Vmap => _state.Vmap;

    /// <summary>Writes a line Xen prints, word for word, to the boot log.</summary>
    public void Log(string xenLine) => Write(new BootLogLine(xenLine ?? string.Empty, true));

    /// <summary>Writes one of XenMm's own lines to the boot log.</summary>
    public void Note(string line) => Write(new BootLogLine(line ?? string.Empty, false));

    /// <summary>The exception that ends a boot where Xen would <c>panic(message)</c>; throw it.</summary>
    public XenMmException Panic(string message) => new(MmError.BootFailed, $"Xen panics: {message}");

    /// <summary>
    /// A page of Xen's image for a static table or structure (Xen: a <c>.bss</c> array such as <c>xen_pgtable</c>),
    /// taken from the top of the image down and zeroed.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.BootFailed"/> when the image has no whole page left.</exception>
    public Mfn TakeImagePage(string purpose)
    {
        var bottom = (_state.XenImage.Start.Value + Addressing.PageMask) >> Addressing.PageShift;
        if (_imageTop <= bottom)
        {
            throw Panic($"Xen's image {_state.XenImage} has no page left for {purpose}.");
        }

        var mfn = new Mfn(--_imageTop);
        _state.Memory.ZeroPage(mfn);
        _state.ImagePages.Add((mfn, purpose ?? string.Empty));
        return mfn;
    }

    /// <summary>Registers the next CPU (0, 1, ...) with its root table and mapping calls.</summary>
    public void AddCpu(PhysAddr root, IXenMappings mappings)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        _state.Cpus.Add(new MachineCpu(_state.Cpus.Count, root, mappings));
    }

    /// <summary>Registers the heap model (once).</summary>
    public void SetHeapModel(IHeapModel model) =>
        _state.HeapModel = _state.HeapModel is null ? model ?? throw new ArgumentNullException(nameof(model))
            : throw new XenMmException(MmError.InvalidState, "The heap model is already set.");

    /// <summary>Registers the domain-page mapper (once).</summary>
    public void SetDomainPageMapper(IDomainPageMapper mapper) =>
        _state.DomainPages = _state.DomainPages is null ? mapper ?? throw new ArgumentNullException(nameof(mapper))
            : throw new XenMmException(MmError.InvalidState, "The domain-page mapper is already set.");

    /// <summary>
    /// Xen's <c>populate_boot_allocator</c> (common/device-tree/bootinfo.c): every RAM bank in address order minus the
    /// boot modules (<c>next_module</c>), minus <paramref name="xenheap"/> (CONFIG_SEPARATE_XENHEAP), minus the
    /// reserved regions (<c>dt_unreserved_regions</c>, upper part first), each piece through <c>init_boot_pages</c>.
    /// </summary>
    public void PopulateBootAllocator(MfnRange? xenheap = null)
    {
        ulong xs = 0, xe = 0;
        if (xenheap is { } x)
        {
            xs = x.Start.Value << Addressing.PageShift;
            xe = x.End.Value << Addressing.PageShift;
        }

        foreach (var bank in _state.Options.Ram.OrderBy(b => b.Start.Value))
        {
            var bankEnd = bank.End;
            var s = bank.Start.Value;
            while (s < bankEnd)
            {
                var n = bankEnd;
                var e = NextModule(s, ref n);
                if (e == ulong.MaxValue)
                {
                    e = n = bankEnd;
                }

                if (e > bankEnd)
                {
                    e = bankEnd;
                }

                if (xenheap is not null && s < xe && xs < e)
                {
                    e = xs;
                    n = xe;
                }

                Unreserved(s, e, 0);
                s = n;
            }
        }
    }

    /// <summary>
    /// Xen's <c>init_frametable(ram_start)</c> (arch/arm/mmu/mm.c): <c>frametable_base_pdx</c> at the first RAM PDX rounded
    /// down to a PDX group, "Frametable too small" beyond <c>FRAMETABLE_NR</c>, then one boot allocation per run of
    /// valid PDX groups (aligned to 32 MiB when the chunk is at least that, else 2 MiB) mapped at its place in
    /// <c>FRAMETABLE_VIRT_START</c> with <c>PAGE_HYPERVISOR_RW | _PAGE_BLOCK</c>; the slack after the last entry is
    /// filled with 0xFF. The 2013 profile (<c>setup_frametable_mappings</c>) covers <c>[ram_start, ram_end)</c> in
    /// one allocation rounded up to 32 MiB and 32 MiB-aligned.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.BootFailed"/> when the frame table does not fit its region.</exception>
    public void InitFrametable(IXenMappings mappings)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        var region = _state.Layout["FRAMETABLE_VIRT_START"];
        var size = (ulong)_state.Architecture.PageInfoSize;
        var pdx = _state.FrameTable.Pdx;
        var banks = _state.Memory.Banks;
        var ramStart = banks.Min(b => b.Start.Value) >> Addressing.PageShift;
        var maxPage = banks.Max(b => b.End) >> Addressing.PageShift;
        if (Profile == XenProfile.Xen2013)
        {
            var nrPages = maxPage - ramStart;
            var bytes = (nrPages * size + (32UL << 20) - 1) & ~((32UL << 20) - 1);
            if (bytes > region.Size)
            {
                throw Panic("Frametable too small");
            }

            MapFrametableChunk(mappings, region.Start, nrPages, bytes, 8192);
            return;
        }

        var frameTable = _state.FrameTable;
        var groupShift = _state.HeapConfig.PdxGroupShift;
        var group = 1UL << groupShift;
        var maxPdx = frameTable.MaxPdx;
        var basePdx = pdx.ToPdx(ramStart) & ~(group - 1);
        var frametableNr = region.Size / size;
        if (maxPdx - basePdx > frametableNr)
        {
            throw Panic("Frametable too small");
        }

        // Xen: init_frametable maps each run of PDX groups that set_pdx_range marked valid (the frame table's own bitmap).
        var maxIdx = (maxPdx + group - 1) >> groupShift;
        bool Valid(ulong g) => frameTable.IsPdxGroupValid(g << groupShift);
        var sidx = basePdx >> groupShift;
        while (true)
        {
            var eidx = sidx;
            while (eidx < maxIdx && Valid(eidx))
            {
                eidx++;
            }

            var nidx = eidx;
            while (nidx < maxIdx && !Valid(nidx))
            {
                nidx++;
            }

            if (nidx >= maxIdx)
            {
                break;
            }

            FrametableChunk(mappings, region.Start, basePdx, sidx << groupShift, eidx << groupShift, size);
            sidx = nidx;
        }

        FrametableChunk(mappings, region.Start, basePdx, sidx << groupShift, maxPdx, size);
    }

    /// <summary>
    /// Xen's <c>vm_init</c>: vmap's default region over the layout's <c>VMAP_VIRT_START</c> region, its bitmap pages from
    /// <see cref="VmapFrames"/> (the boot allocator while it is open).
    /// </summary>
    public void VmInit(IXenMappings mappings)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        if (_state.Vmap is not null)
        {
            throw new XenMmException(MmError.InvalidState, "vm_init has already run.");
        }

        var region = _state.Layout["VMAP_VIRT_START"];
        var vmap = new Vmap(mappings, _state.Memory, _state.VmapFrames);
        vmap.Init(VmapRegion.Default, region.Start, new VirtAddr(region.End));
        _state.Vmap = vmap;
    }

    /// <summary>
    /// Xen's <c>init_heap_pages</c> during boot: hands <paramref name="range"/> to the heap, dirty when
    /// <c>bootscrub=idle</c> (the default; current Xen only), and records it for the census.
    /// </summary>
    public void InitHeapPages(MfnRange range)
    {
        if (range.Pages == 0)
        {
            return;
        }

        var needScrub = Profile == XenProfile.Current && _state.CommandLine.BootScrub == BootScrubMode.Idle;
        _state.Heap.InitHeapPages(range.Start, range.Pages, HeapInitMode.ProfileDefault, needScrub);
        _state.HeapRanges.Add(range);
    }

    /// <summary>
    /// Xen's <c>end_boot_allocator</c>: every region left to the heap in Xen's order (the boot node's first region, then
    /// the rest from the highest down; [2013] then the region array's page), and the line "Domain heap initialised".
    /// From here on <see cref="TableFrames"/> and <see cref="VmapFrames"/> take domheap pages.
    /// </summary>
    public void EndBootAllocator()
    {
        _state.RegionsAtEnd.AddRange(_state.BootAllocator.Regions.Where(r => r.Pages != 0));
        foreach (var range in _state.BootAllocator.End())
        {
            InitHeapPages(range);
        }

        Log("Domain heap initialised");
    }

    private void Write(BootLogLine line)
    {
        _state.Log.Add(line);
        _logger?.LogInformation("{BootLine}", line.ToString());
    }

    // Xen: next_module. Returns the start of the lowest module at or after s that starts no later than *end, and
    // clips *end to the ends of the modules it considers (all of them, in array order, as Xen does).
    private ulong NextModule(ulong s, ref ulong end)
    {
        var lowest = ulong.MaxValue;
        foreach (var m in _state.Options.Modules)
        {
            if (m.Size == 0 || m.Start.Value < s || m.Start.Value > lowest || m.Start.Value > end)
            {
                continue;
            }

            lowest = m.Start.Value;
            end = Math.Min(end, m.End);
        }

        return lowest;
    }

    // Xen: dt_unreserved_regions: a reserved region splits [s, e); the part above it is handled first.
    private void Unreserved(ulong s, ulong e, int first)
    {
        var reserved = _state.Options.Reserved;
        for (var i = first; i < reserved.Count; i++)
        {
            var rs = reserved[i].Start.Value;
            var re = reserved[i].End;
            if (s < re && rs < e)
            {
                Unreserved(re, e, i + 1);
                Unreserved(s, rs, i + 1);
                return;
            }
        }

        _state.BootAllocator.InitBootPages(new PhysAddr(s), new PhysAddr(e));
    }

    // Xen: init_frametable_chunk.
    private void FrametableChunk(IXenMappings mappings, VirtAddr start, ulong basePdx, ulong pdxS, ulong pdxE, ulong size)
    {
        var nr = pdxE - pdxS;
        var bytes = (nr * size + Addressing.PageMask) & ~Addressing.PageMask;
        var align = (bytes >= (32UL << 20) ? 32UL << 20 : 2UL << 20) >> Addressing.PageShift;
        MapFrametableChunk(mappings, start + ((pdxS - basePdx) * size), nr, bytes, align);
    }

    private void MapFrametableChunk(IXenMappings mappings, VirtAddr va, ulong entries, ulong bytes, ulong align)
    {
        var pages = bytes >> Addressing.PageShift;
        var mfn = _state.BootAllocator.AllocBootPages(pages, align, PageUse.FrameTable, $"frame table at {va}");
        try
        {
            mappings.Map(va, mfn, pages, PageFlags.HypervisorRw | PageFlags.Block);
        }
        catch (XenMmException ex)
        {
            throw Panic($"Unable to setup the frametable mappings ({ex.Message})");
        }

        // Xen: memset(pg + nr_pdxs, -1, ...): the slack after the last entry reads all ones.
        var used = entries * (ulong)_state.Architecture.PageInfoSize;
        if (used < bytes)
        {
            var ff = new byte[(int)Math.Min(bytes - used, 1UL << 26)];
            ff.AsSpan().Fill(0xFF);
            for (var off = used; off < bytes; off += (ulong)ff.Length)
            {
                var n = (int)Math.Min((ulong)ff.Length, bytes - off);
                _state.Memory.Write(mfn.ToPhysAddr() + off, ff.AsSpan(0, n));
            }
        }
    }
}

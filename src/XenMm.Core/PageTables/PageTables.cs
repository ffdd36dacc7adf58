using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using XenMm.Memory;

namespace XenMm.PageTables;

/// <summary>
/// A tree of translation tables in simulated physical memory, generic over its format so the JIT specialises
/// every walk. It maps ranges with a chosen attribute set (<see cref="MapRange"/>), translates and walks in
/// software straight from the bytes (no cache), lists what is mapped (<see cref="Dump()"/>) and audits itself.
/// Xen's own update rules sit on top, in <see cref="XenMappings{TFormat}"/>.
/// </summary>
/// <typeparam name="TFormat">The descriptor format and geometry.</typeparam>
/// <remarks>
/// Table pages come from an <see cref="IFrameAllocator"/> and are zeroed when taken, as Xen's
/// <c>create_xen_table</c> does (<c>clear_page</c>). Tables are never freed by updates: Xen keeps empty
/// intermediate tables. A table tree attached to foreign bytes with <see cref="Attach"/> is read-only.
/// Updates (<see cref="MapRange"/> and those of <see cref="XenMappings{TFormat}"/>), <see cref="Audit"/>,
/// <see cref="Dump()"/> and <see cref="TablePages"/> take the tree's lock (Xen's <c>xen_pt_lock</c>), so they are
/// thread-safe; translations take no lock and may run in parallel with everything (a descriptor is written whole).
/// </remarks>
public sealed unsafe partial class PageTables<TFormat>
    where TFormat : struct, IPageTableFormat
{
    private const int EntryShift = 3;
    private const ulong IndexMask = 511;
    private const int PageLevel = 3;
    private const ulong ChunkMask = (1UL << PhysicalMemory.ChunkShift) - 1;

    private readonly PhysicalMemory _memory;
    private readonly IFrameAllocator? _allocator;
    private ulong _root; // changes only in Reinitialize, under the lock
    private readonly ulong _tableBits;
    // The table pages this engine took besides the root, in the order taken, each with the entry that links it (0
    // for tables linked by LinkTable, which an update never rolls back). A tree that can be updated owns its root
    // too, always and first; it is not stored (OwnedInOrder puts it first). The first table inside the tree itself,
    // then an array once there are more: a tree is cheap to create and to grow (w4-create creates one per map, with
    // two tables: an array of its own was an allocation and a write barrier more, 44 of the 947 instructions of a map;
    // one slot, with the root implicit, keeps the tree small, and every byte allocated is a byte the GC clears);
    // the rare readers sort or hash it.
    private OwnedInline _ownedInline;
    private (ulong Mfn, ulong Entry)[]? _ownedSpill; // all of them, once more than OwnedInline holds
    private int _ownedCount; // not counting the root
    private int _updateStart; // the owned tables [_updateStart.._ownedCount) were created by the current update
    private XenSpinlock _lock = new(); // Xen's xen_pt_lock (a struct: never readonly, never copied)
    private bool _driven; // updated through a XenMappings, which keeps state of its own about the tree

    // Where every walk and every entry update of the root's 2 MiB chunk starts, without the memory's lookup: the
    // root's chunk number (ulong.MaxValue until memory has backed the chunk) and the chunk's first byte less the
    // chunk's physical address, so that a descriptor at physical address a of that chunk is at _walkBias + a (one
    // compare, then one load). Chunks never move and live as long as _memory; a raw address rather than the chunk:
    // no null check and no object reference to track on the walk's path. Whoever reads through it keeps this tree
    // alive until the read is done (GC.KeepAlive), so the memory and its chunks stay alive too.
    private ulong _walkChunkIndex = ulong.MaxValue;
    private byte* _walkBias;

    private PageTables(PhysicalMemory memory, IFrameAllocator? allocator, ulong root, ulong tableBits)
    {
        _memory = memory;
        _allocator = allocator;
        _root = root;
        _tableBits = tableBits;
    }

    /// <summary>The memory holding the tables.</summary>
    public PhysicalMemory Memory => _memory;

    /// <summary>The physical address of the root table (what TTBR0_EL2 / HTTBR would hold).</summary>
    public PhysAddr Root => new(_root);

    /// <summary>True for tables attached with <see cref="Attach"/>: they can be walked but not updated.</summary>
    public bool IsReadOnly => _allocator is null;

    /// <summary>The table pages this engine allocated, root included, in address order.</summary>
    public IReadOnlyList<Mfn> TablePages
    {
        get
        {
            using (_lock.EnterScope())
            {
                return [.. OwnedFrames().Select(v => new Mfn(v))];
            }
        }
    }

    /// <summary>Xen's <c>xen_pt_lock</c> for this tree: held by every update and by the readers of the whole tree.</summary>
    internal ref XenSpinlock SyncRoot => ref _lock;

    /// <summary>The number of entries of the root table that the input-address width can reach (4 on arm32, 512 on arm64).</summary>
    public static int RootEntries => 1 << Math.Min(9, TFormat.VaBits - LevelShift(TFormat.RootLevel));

    /// <summary>
    /// Creates an empty tree: takes the root page from <paramref name="allocator"/> and zeroes it.
    /// </summary>
    /// <param name="memory">Where the tables live.</param>
    /// <param name="allocator">Where table pages come from (Xen: <c>alloc_domheap_page</c>, or the boot allocator early).</param>
    /// <param name="tableAttributes">
    /// The attribute fields written into table descriptors. Xen writes <c>mfn_to_xen_entry(mfn, MT_NORMAL)</c>
    /// (<see cref="LeafAttributes.XenTable"/>); null writes bare links (next-level address | 0b11), as the native
    /// benchmark does.
    /// </param>
    /// <exception cref="XenMmException"><see cref="MmError.OutOfMemory"/> when no page is left for the root.</exception>
    // RS0026 (several overloads with optional parameters): the two Create overloads differ in a required
    // parameter (the root MFN), so no call is ambiguous; both are part of the first, unshipped surface.
#pragma warning disable RS0026
    public static PageTables<TFormat> Create(PhysicalMemory memory, IFrameAllocator allocator, LeafAttributes? tableAttributes = null)
#pragma warning restore RS0026
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(allocator);
        if (!allocator.TryAllocate(out var root))
        {
            throw new XenMmException(MmError.OutOfMemory, $"No page is left for the root table of a {TFormat.Name} tree.");
        }

        return OnRoot(memory, allocator, root, tableAttributes);
    }

    // An empty tree on a zeroed root page the tree owns from now on.
    private static PageTables<TFormat> OnRoot(PhysicalMemory memory, IFrameAllocator allocator, Mfn root, LeafAttributes? tableAttributes)
    {
        var chunk = memory.ZeroPageInChunk(root);
        var bits = tableAttributes is { } attributes ? TFormat.EncodeAttributes(attributes) : 0;
        var tables = new PageTables<TFormat>(memory, allocator, root.ToPhysAddr().Value, bits);
        tables.SetRootChunk(chunk); // the tree owns its root from now on: OwnedInOrder lists it first
        return tables;
    }

    /// <summary>
    /// Starts this tree again, empty, on a new root page from its allocator, zeroed: what <see cref="Create(PhysicalMemory, IFrameAllocator, LeafAttributes?)"/>
    /// does, without a new object. The pages the tree had (its root and every table) are forgotten, not given back:
    /// this is for an allocator that is taken back wholesale, as a <see cref="BumpFrameAllocator"/> after its
    /// <see cref="BumpFrameAllocator.Reset"/> (the native benchmarks' <c>bump_reset</c> then <c>alloc_table</c>).
    /// The table attributes stay as created.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidState"/> for read-only tables and for a tree updated through a
    /// <see cref="XenMappings{TFormat}"/> (a machine's: its CPUs and the mappings' own state hold this root);
    /// <see cref="MmError.OutOfMemory"/> when no page is left for the root; <see cref="MmError.InvalidAddress"/> when the
    /// allocator hands out a frame that is not RAM (it is given back). Nothing changes when it throws.
    /// </exception>
    public void Reinitialize()
    {
        using (_lock.EnterScope())
        {
            if (_allocator is null)
            {
                throw ReadOnlyError();
            }

            if (_driven)
            {
                throw new XenMmException(MmError.InvalidState, $"The {TFormat.Name} tables at {Root} are updated through a XenMappings; it and the CPUs that use them hold this root, so the tree cannot start again.");
            }

            if (!_allocator.TryAllocate(out var root))
            {
                throw new XenMmException(MmError.OutOfMemory, $"No page is left for a new root table of the {TFormat.Name} tree at {Root}.");
            }

            if (!_memory.IsRam(root))
            {
                _allocator.Free(root); // the allocator's mistake, not the caller's: its frame goes back untouched
                throw new XenMmException(MmError.InvalidAddress, $"The allocator gave MFN {root} for a new root table, which is not RAM.");
            }

            // Validated; from here nothing fails. The walk's chunk is forgotten before the root moves, so that a
            // translation running meanwhile (they take no lock) never pairs the new root with the old chunk.
            Volatile.Write(ref _walkChunkIndex, ulong.MaxValue);
            _ownedSpill = null;
            _ownedCount = 0;
            _updateStart = 0;
            _root = root.ToPhysAddr().Value;
            SetRootChunk(_memory.ZeroPageInChunk(root));
        }
    }

    /// <summary>Marks the tree as updated through a <see cref="XenMappings{TFormat}"/>: <see cref="Reinitialize"/> refuses it from then on.</summary>
    internal void MarkDriven() => _driven = true;

    /// <summary>Attaches to tables that are already in <paramref name="memory"/> (a foreign image), read-only.</summary>
    /// <exception cref="XenMmException">The root is not page-aligned or not in memory.</exception>
    public static PageTables<TFormat> Attach(PhysicalMemory memory, PhysAddr root)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (!root.IsPageAligned)
        {
            throw new XenMmException(MmError.Misaligned, $"Root table address {root} is not page-aligned.");
        }

        if (!memory.IsRam(root))
        {
            throw new XenMmException(MmError.InvalidAddress, $"Root table address {root} is outside the memory image.");
        }

        return new PageTables<TFormat>(memory, null, root.Value, 0);
    }

    /// <summary>The bit position of the input address that indexes <paramref name="level"/>'s tables (39, 30, 21, 12 with 4 KiB).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LevelShift(int level) => TFormat.GranuleShift + ((TFormat.GranuleShift - EntryShift) * (PageLevel - level));

    /// <summary>The size in bytes that one entry at <paramref name="level"/> covers.</summary>
    public static ulong LevelSize(int level) => 1UL << LevelShift(level);

    /// <summary>
    /// The leaf level for the next step of a mapping (Xen: <c>xen_pt_mapping_level</c>): the largest block level
    /// whose size divides <paramref name="addressBits"/> (VA | PA, or VA alone for a removal) and fits in
    /// <paramref name="bytesLeft"/>, or level 3 when blocks are not allowed.
    /// </summary>
    public static int LeafLevel(ulong addressBits, ulong bytesLeft, bool allowBlocks)
    {
        if (allowBlocks)
        {
            for (var level = TFormat.RootLevel; level < PageLevel; level++)
            {
                var size = LevelSize(level);
                if (TFormat.IsBlockLevel(level) && (addressBits & (size - 1)) == 0 && bytesLeft >= size)
                {
                    return level;
                }
            }
        }

        return PageLevel;
    }

    /// <summary>
    /// Maps <c>[va, va + size)</c> to <c>[pa, pa + size)</c> with <paramref name="attributes"/>, level by level as
    /// <see cref="LeafLevel"/> chooses, walking from the root for every entry and creating missing tables. Refuses
    /// to replace any valid entry or to go through a block. All or nothing: on a refusal the tree is left as it was.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.Misaligned"/>, <see cref="MmError.InvalidAddress"/> (outside the VA or PA width),
    /// <see cref="MmError.AlreadyMapped"/>, <see cref="MmError.TableEntry"/>, <see cref="MmError.WouldShatterBlock"/>,
    /// <see cref="MmError.OutOfMemory"/> or <see cref="MmError.InvalidState"/> (read-only tables).
    /// </exception>
    public void MapRange(VirtAddr va, PhysAddr pa, ulong size, in LeafAttributes attributes, bool allowBlocks)
    {
        CheckRange(va, size);
        CheckOutput(pa, size);

        // Encoded (and validated) here, before the lock, where this method is inlined into its caller: for attributes
        // the caller's code holds as constants (a static readonly set, as W3's and W4's) the JIT folds the whole
        // encoding to one constant; for others it costs what it cost inside.
        var attributeBits = TFormat.EncodeAttributes(attributes);
        using (_lock.EnterScope())
        {
            MapRangeLocked(va, pa, size, attributeBits, allowBlocks);
        }
    }

    // Compiled on its own: inlined with MapRange into a caller's loop (W4's), it ran out of the JIT's inlining budget
    // there and called ReadEntry, WriteEntry, MakeLeaf and the attribute setters out of line (70 more instructions
    // per map in a single-step count).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MapRangeLocked(VirtAddr va, PhysAddr pa, ulong size, ulong attributeBits, bool allowBlocks)
    {
        BeginUpdate();
        ulong v = va.Value, p = pa.Value, left = size;

        // The table that held the previous leaf. Within one call nothing but this loop writes the tables, and it
        // never changes an existing link, so the next leaf of the same table and level is found without walking
        // from the root again; the result is the one a full walk would give. The table's bytes are reached through
        // the address of its chunk, which never moves (this loop keeps the tree, and so the memory, alive).
        ulong lastTable = 0, lastRegion = ulong.MaxValue;
        var lastLevel = -1;
        byte* lastChunk = null;
        while (left != 0)
        {
            var target = LeafLevel(v | p, left, allowBlocks);
            var region = target == TFormat.RootLevel ? 0 : v >> LevelShift(target - 1);
            ulong entry;
            var level = target;
            var status = WalkStatus.Reached;
            if (target == lastLevel && region == lastRegion)
            {
                entry = lastTable + (((v >> LevelShift(target)) & IndexMask) << EntryShift);
                if (lastChunk == null)
                {
                    lastChunk = _memory.BackingChunk(entry);
                }

                if (lastChunk != null)
                {
                    ref var slot = ref *(ulong*)(lastChunk + (entry & ChunkMask));
                    if ((slot & 1) == 0)
                    {
                        slot = TFormat.MakeLeaf(new PhysAddr(p), target, attributeBits);
                        var step = LevelSize(target);
                        v += step;
                        p += step;
                        left -= step;
                        continue;
                    }
                }
            }
            else
            {
                status = WalkTo(v, target, create: true, out entry, out level);
                lastTable = entry & ~Addressing.PageMask;
                lastLevel = target;
                lastRegion = region;
                lastChunk = null;
            }

            MmError error;
            if (status == WalkStatus.Reached)
            {
                var old = ReadEntry(entry);
                if ((old & 1) == 0)
                {
                    WriteEntry(entry, TFormat.MakeLeaf(new PhysAddr(p), target, attributeBits));
                    var step = LevelSize(target);
                    v += step;
                    p += step;
                    left -= step;
                    continue;
                }

                error = TFormat.Classify(old, target) == DescriptorKind.Table ? MmError.TableEntry : MmError.AlreadyMapped;
            }
            else
            {
                error = status == WalkStatus.OutOfMemory ? MmError.OutOfMemory : MmError.WouldShatterBlock;
            }

            UndoMapRange(va.Value, pa.Value, size, v, allowBlocks);
            throw WalkError(error, new VirtAddr(v), level);
        }

        _updateStart = _ownedCount;
    }

    /// <summary>Translates <paramref name="va"/> for <paramref name="access"/> by a software walk of the bytes in memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Translation Translate(VirtAddr va, AccessType access = AccessType.Read)
    {
        var result = TranslateInRootChunk(va.Value, access);
        GC.KeepAlive(this); // the walk reads the memory's chunks by address
        return result;
    }

    /// <summary>
    /// Walks from the root towards <paramref name="va"/> and records every descriptor read (Xen: <c>dump_pt_walk</c>).
    /// Returns the number of steps written to <paramref name="trace"/> (at most 4).
    /// </summary>
    public int Walk(VirtAddr va, Span<WalkStep> trace)
    {
        var v = va.Value;
        if ((v >> TFormat.VaBits) != 0)
        {
            return 0;
        }

        var table = _root;
        var count = 0;
        for (var level = TFormat.RootLevel; level <= PageLevel && count < trace.Length; level++)
        {
            var index = (int)((v >> LevelShift(level)) & IndexMask);
            var address = new PhysAddr(table + ((ulong)index << EntryShift));
            if (!_memory.IsRam(address))
            {
                break;
            }

            var raw = _memory.ReadU64(address);
            var kind = TFormat.Classify(raw, level);
            trace[count++] = new WalkStep(level, index, address, raw, kind);
            if (kind != DescriptorKind.Table)
            {
                break;
            }

            table = raw & TFormat.OutputAddressMask;
        }

        return count;
    }

    /// <summary>The walk trace of <paramref name="va"/> as an array (see <see cref="Walk(VirtAddr, Span{WalkStep})"/>).</summary>
    public WalkStep[] Walk(VirtAddr va)
    {
        Span<WalkStep> steps = stackalloc WalkStep[4];
        return steps[..Walk(va, steps)].ToArray();
    }

    /// <summary>How many table pages the allocator can still hand out (see <see cref="IFrameAllocator.Available"/>).</summary>
    internal ulong FramesAvailable => _allocator?.Available ?? 0;

    /// <summary>True when table pages come from <paramref name="allocator"/>.</summary>
    internal bool TakesFramesFrom(IFrameAllocator allocator) => ReferenceEquals(_allocator, allocator);

    // Where the owned tables are: inside the tree, or the array they spilled to.
    private Span<(ulong Mfn, ulong Entry)> OwnedSlots => _ownedSpill is { } spill ? spill : _ownedInline;

    // Inline while there is room (the first table a tree creates beside its root), else in the spill array.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddOwned(ulong mfn, ulong entry)
    {
        var count = _ownedCount;
        if ((uint)count < InlineOwned && _ownedSpill is null)
        {
            _ownedInline[count] = (mfn, entry);
            _ownedCount = count + 1;
            return;
        }

        AddOwnedSpilled(mfn, entry);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddOwnedSpilled(ulong mfn, ulong entry)
    {
        var slots = OwnedSlots;
        if (_ownedCount == slots.Length)
        {
            var bigger = new (ulong, ulong)[_ownedCount * 2];
            slots.CopyTo(bigger);
            _ownedSpill = bigger;
            slots = bigger;
        }

        slots[_ownedCount++] = (mfn, entry);
    }

    // The frames of the table pages taken, in the order taken: the root first (a tree that can be updated owns it),
    // then the others.
    private ulong[] OwnedInOrder()
    {
        if (_allocator is null)
        {
            return [];
        }

        var frames = new ulong[_ownedCount + 1];
        frames[0] = Root.Mfn.Value;
        var slots = OwnedSlots;
        for (var i = 0; i < _ownedCount; i++)
        {
            frames[i + 1] = slots[i].Mfn;
        }

        return frames;
    }

    private const int InlineOwned = 1;

    [InlineArray(InlineOwned)]
    private struct OwnedInline
    {
        private (ulong Mfn, ulong Entry) _first;
    }

    // Entries in the root's chunk (every table of a small tree, most of a large one) are reached through the root's
    // chunk without the memory's lookup (three dependent loads); W4 reads and writes four entries per map. Anything
    // else goes through the memory, which checks it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong ReadEntry(ulong address)
    {
        if (InRootChunk(address))
        {
            var raw = *(ulong*)(_walkBias + address);
            GC.KeepAlive(this);
            return raw;
        }

        return ReadEntryElsewhere(address);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteEntry(ulong address, ulong raw)
    {
        if (InRootChunk(address))
        {
            *(ulong*)(_walkBias + address) = raw;
            GC.KeepAlive(this);
            return;
        }

        WriteEntryElsewhere(address, raw);
    }

    // True when the entry at physical address `address` lies in the root's chunk and that chunk is backed: the
    // walk's test (one compare); the entry is then at _walkBias + address. Every caller passes a table's address plus
    // index << 3 (a table address is page-aligned: an output-address field, or a frame's), so the 8 bytes read or
    // written never cross the chunk's end; the assertion keeps that promise checked in debug builds and tests.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool InRootChunk(ulong address)
    {
        Debug.Assert((address & 7) == 0, "a descriptor address is 8-byte aligned");
        return (address >> PhysicalMemory.ChunkShift) == Volatile.Read(ref _walkChunkIndex);
    }

    // Compiled apart from the callers' loops (their cold paths would otherwise hold registers): an entry outside the
    // root's chunk goes through the memory, which checks it; one in a root chunk not backed before backs it first.
    // Once the root's chunk is backed, ReadEntry and WriteEntry take their fast path.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadEntryElsewhere(ulong address) =>
        BackRootChunkFor(address) ? ReadEntry(address) : _memory.ReadU64(new PhysAddr(address));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteEntryElsewhere(ulong address, ulong raw)
    {
        if (BackRootChunkFor(address))
        {
            WriteEntry(address, raw);
            return;
        }

        _memory.WriteU64(new PhysAddr(address), raw);
    }

    // True when the entry is in the root's chunk and that chunk, not backed when the tree was made, is backed now.
    private bool BackRootChunkFor(ulong address) =>
        ((address ^ _root) >> PhysicalMemory.ChunkShift) == 0
        && Volatile.Read(ref _walkChunkIndex) == ulong.MaxValue && RootChunkSlow() != null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte* RootChunkSlow()
    {
        var chunk = _memory.BackingChunk(_root);
        SetRootChunk(chunk);
        return chunk;
    }

    // Records the root's chunk (BackingChunk of the root) once memory has backed it; null changes nothing.
    private void SetRootChunk(byte* chunk)
    {
        if (chunk != null)
        {
            var index = _root >> PhysicalMemory.ChunkShift;
            _walkBias = chunk - (index << PhysicalMemory.ChunkShift);
            Volatile.Write(ref _walkChunkIndex, index); // after the bias: a walk that reads the index reads the bias
        }
    }

    internal static ulong AttributeBitsOf(ulong raw) => TFormat.EncodeAttributes(TFormat.DecodeAttributes(raw));

    /// <summary>Starts an update that can be rolled back: forgets the tables created by the previous one.</summary>
    internal void BeginUpdate()
    {
        if (_allocator is null)
        {
            throw ReadOnlyError();
        }

        _updateStart = _ownedCount;
    }

    // Built out of line: the message's interpolation would otherwise give every caller a stack frame to zero on entry.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private XenMmException ReadOnlyError() =>
        new(MmError.InvalidState, $"The {TFormat.Name} tables at {Root} were attached read-only.");

    /// <summary>Unlinks and gives back every table created since <see cref="BeginUpdate"/>, newest first.</summary>
    internal void RollBackTables()
    {
        var owned = OwnedSlots;
        for (var i = _ownedCount - 1; i >= _updateStart; i--)
        {
            var (table, entry) = owned[i];
            if (entry != 0)
            {
                WriteEntry(entry, 0);
                owned[(i + 1).._ownedCount].CopyTo(owned[i..]);
                _ownedCount--;
                _allocator!.Free(new Mfn(table));
            }
        }

        _updateStart = _ownedCount;
    }

    /// <summary>
    /// Walks from the root to the entry of <paramref name="va"/> at <paramref name="target"/>. With
    /// <paramref name="create"/>, a missing table is allocated, zeroed and linked; without, the walk stops there.
    /// A valid non-table entry above the target stops the walk as <see cref="WalkStatus.Block"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal WalkStatus WalkTo(ulong va, int target, bool create, out ulong entry, out int level)
    {
        // The level's shift steps down with the level (one subtraction, where LevelShift(level) was four operations).
        var table = _root;
        var shift = LevelShift(TFormat.RootLevel);
        for (level = TFormat.RootLevel; level < target; level++, shift -= TFormat.GranuleShift - EntryShift)
        {
            var address = table + (((va >> shift) & IndexMask) << EntryShift);
            var raw = ReadEntry(address);
            if ((raw & 1) == 0)
            {
                if (!create)
                {
                    entry = address;
                    return WalkStatus.Missing;
                }

                if (!TryCreateTable(address, out table))
                {
                    entry = address;
                    return WalkStatus.OutOfMemory;
                }

                continue;
            }

            if (TFormat.Classify(raw, level) != DescriptorKind.Table)
            {
                // Xen: xen_pt_next_level treats any valid non-table entry as a superpage.
                entry = address;
                return WalkStatus.Block;
            }

            table = raw & TFormat.OutputAddressMask;
        }

        entry = table + (((va >> shift) & IndexMask) << EntryShift);
        return WalkStatus.Reached;
    }

    internal static XenMmException WalkError(MmError error, VirtAddr va, int level) => error switch
    {
        MmError.AlreadyMapped => new XenMmException(error, $"VA {va}: the level-{level} entry is already valid; Xen never replaces a valid entry (xen_pt_check_entry)."),
        MmError.TableEntry => new XenMmException(error, $"VA {va}: the level-{level} entry is a table, which Xen never replaces, removes or modifies (xen_pt_check_entry)."),
        MmError.WouldShatterBlock => new XenMmException(error, $"VA {va}: a block at level {level} is in the way; shattering a superpage is not supported (xen_pt_update_entry)."),
        MmError.OutOfMemory => new XenMmException(error, $"VA {va}: no page for a level-{level + 1} table (Xen: create_xen_table fails, xen_pt_update returns -ENOENT)."),
        _ => new XenMmException(error, $"VA {va}: level {level}: {error}."),
    };

    private bool TryCreateTable(ulong entry, out ulong table)
    {
        if (_allocator is null)
        {
            throw ReadOnlyError();
        }

        if (!_allocator.TryAllocate(out var mfn))
        {
            table = 0;
            return false;
        }

        // Xen: create_xen_table clears the new page before linking it. A table in the root's chunk (all RAM, backed)
        // is cleared through the walk's bias, without the memory's chunk lookup (about 30 instructions).
        table = mfn.ToPhysAddr().Value;
        if (InRootChunk(table))
        {
            PhysicalMemory.FillHostPage(_walkBias + table, 0);
            GC.KeepAlive(this);
        }
        else
        {
            _memory.ZeroPage(mfn);
        }

        WriteEntry(entry, TFormat.MakeTable(new PhysAddr(table), _tableBits));
        AddOwned(mfn.Value, entry);
        return true;
    }

    private void UndoMapRange(ulong va, ulong pa, ulong size, ulong end, bool allowBlocks)
    {
        // Every leaf in [va, end) was invalid before this call, so zero restores it. The same level choice
        // as MapRange finds the same entries.
        ulong v = va, p = pa;
        while (v < end)
        {
            var target = LeafLevel(v | p, size - (v - va), allowBlocks);
            if (WalkTo(v, target, create: false, out var entry, out _) == WalkStatus.Reached)
            {
                WriteEntry(entry, 0);
            }

            v += LevelSize(target);
            p += LevelSize(target);
        }

        RollBackTables();
    }

    // The walk while every table it meets is in the root's chunk: every table of a small tree, nearly every walk of
    // a large one (W5's 1 GiB of 4 KiB pages: all but 3 of its 515 tables). It makes no call, so the JIT keeps the
    // walk in registers (around a call it stored the walk's state on the stack at every level); the first step out
    // of that chunk, or a root not yet backed, hands the whole walk to the general one. A foreign image's tables take
    // it too: the root's chunk is all RAM, so no read of it can abort.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Translation TranslateInRootChunk(ulong v, AccessType access)
    {
        if ((v >> TFormat.VaBits) != 0)
        {
            return new Translation(FaultKind.Translation, TFormat.RootLevel, default, 0, default);
        }

        var chunkIndex = Volatile.Read(ref _walkChunkIndex);
        var bias = _walkBias;
        var table = _root;
        ulong raw;
        if (TFormat.RootLevel == 0)
        {
            if (!InWalkChunk(table, v, 0, chunkIndex, bias, out raw))
            {
                return TranslateElsewhere(v, access);
            }

            if (!TFormat.IsTable(raw, 0))
            {
                return Final(v, 0, raw, access);
            }

            table = raw & TFormat.OutputAddressMask;
        }

        if (TFormat.RootLevel <= 1)
        {
            if (!InWalkChunk(table, v, 1, chunkIndex, bias, out raw))
            {
                return TranslateElsewhere(v, access);
            }

            if (!TFormat.IsTable(raw, 1))
            {
                return Final(v, 1, raw, access);
            }

            table = raw & TFormat.OutputAddressMask;
        }

        if (!InWalkChunk(table, v, 2, chunkIndex, bias, out raw))
        {
            return TranslateElsewhere(v, access);
        }

        if (!TFormat.IsTable(raw, 2))
        {
            return Final(v, 2, raw, access);
        }

        table = raw & TFormat.OutputAddressMask;
        return InWalkChunk(table, v, PageLevel, chunkIndex, bias, out raw)
            ? Final(v, PageLevel, raw, access)
            : TranslateElsewhere(v, access);
    }

    // The descriptor for v in the table at `table` when that entry lies in the walk's chunk.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool InWalkChunk(ulong table, ulong v, int level, ulong chunkIndex, byte* bias, out ulong raw)
    {
        var address = table + (((v >> LevelShift(level)) & IndexMask) << EntryShift);
        if ((address >> PhysicalMemory.ChunkShift) != chunkIndex)
        {
            raw = 0;
            return false;
        }

        raw = *(ulong*)(bias + address);
        return true;
    }

    // A foreign image's links may point outside the image: the read that fails is an external abort on the walk.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Translation TranslateElsewhere(ulong v, AccessType access) => _allocator is null
        ? TranslateCore(v, access, foreign: true)
        : TranslateCore(v, access, foreign: false);

    // Tables this engine built are always RAM, so only a foreign walk checks each descriptor address. The walk
    // keeps the number of the chunk it is in and that chunk's bias (its first byte less its physical address):
    // tables that share a chunk cost one compare and one load per level. It is
    // unrolled with a constant level per step so that the JIT folds the level rules (Classify), the shifts and
    // the leaf offset mask of every level; the loop form paid for them per level at run time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Translation TranslateCore(ulong v, AccessType access, bool foreign)
    {
        if ((v >> TFormat.VaBits) != 0)
        {
            return new Translation(FaultKind.Translation, TFormat.RootLevel, default, 0, default);
        }

        // Three scalars rather than a cursor struct: the JIT keeps them in registers across the inlined steps.
        var table = _root;
        var chunkIndex = Volatile.Read(ref _walkChunkIndex);
        if (chunkIndex == ulong.MaxValue && RootChunkSlow() != null)
        {
            chunkIndex = _walkChunkIndex;
        }

        var bias = _walkBias;
        Translation result;
        if (TFormat.RootLevel == 0 && !Descend(ref table, ref bias, ref chunkIndex, v, 0, access, foreign, out result))
        {
            return result;
        }

        if (TFormat.RootLevel <= 1 && !Descend(ref table, ref bias, ref chunkIndex, v, 1, access, foreign, out result))
        {
            return result;
        }

        if (TFormat.RootLevel <= 2 && !Descend(ref table, ref bias, ref chunkIndex, v, 2, access, foreign, out result))
        {
            return result;
        }

        Descend(ref table, ref bias, ref chunkIndex, v, PageLevel, access, foreign, out result);
        return result;
    }

    // One level of TranslateCore, always inlined with a constant level. True when the descriptor is a table (the
    // walk moves to it); false with the final result otherwise. chunkIndex is ulong.MaxValue when the walk is in no
    // chunk (bias then means nothing). The table test comes first and straight from the bits: from the kind, the JIT
    // materialised the kind and compared it again (seven instructions on each level's common path, not four).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Descend(ref ulong table, ref byte* bias, ref ulong chunkIndex, ulong v, int level, AccessType access, bool foreign, out Translation result)
    {
        var address = table + (((v >> LevelShift(level)) & IndexMask) << EntryShift);
        ulong raw;
        if ((address >> PhysicalMemory.ChunkShift) == chunkIndex)
        {
            raw = *(ulong*)(bias + address);
        }
        else
        {
            // Another chunk, or memory with no chunk: calls, and no local's address taken, so the walk's state
            // stays in registers on the common path.
            if (foreign && !_memory.IsRam(new PhysAddr(address)))
            {
                result = new Translation(FaultKind.ExternalAbort, level, new PhysAddr(address), 0, default);
                return false;
            }

            var chunk = ChunkAt(address);
            if (chunk == null)
            {
                chunkIndex = ulong.MaxValue;
                raw = ReadOutsideChunk(address);
            }
            else
            {
                chunkIndex = address >> PhysicalMemory.ChunkShift;
                bias = chunk - (address & ~(ulong)ChunkMask);
                raw = *(ulong*)(bias + address);
            }
        }

        if (TFormat.IsTable(raw, level))
        {
            table = raw & TFormat.OutputAddressMask;
            result = default;
            return true;
        }

        result = Final(v, level, raw, access);
        return false;
    }

    // The end of a walk at a descriptor that is not a table link: a leaf (block or page), or a translation fault.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Translation Final(ulong v, int level, ulong raw, AccessType access) => TFormat.IsMapping(raw, level)
        ? Leaf(v, level, raw, access)
        : new Translation(FaultKind.Translation, level, default, raw, default);

    // The rare steps of a walk (another chunk, or one that is not fully RAM or not backed) are calls, so the inlined
    // walk stays small: fewer registers live and fewer instructions between one walk's loads and the next's.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte* ChunkAt(ulong address) => _memory.BackingChunk(address);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadOutsideChunk(ulong address) => _memory.ReadU64(new PhysAddr(address));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Translation Leaf(ulong va, int level, ulong raw, AccessType access)
    {
        var offsetMask = (1UL << LevelShift(level)) - 1;
        var pa = new PhysAddr((raw & TFormat.OutputAddressMask & ~offsetMask) | (va & offsetMask));
        var attributes = TFormat.DecodeAttributes(raw);
        var fault = FaultKind.None;
        if (!attributes.AccessFlag)
        {
            fault = FaultKind.AccessFlag;
        }
        else if ((access == AccessType.Write && attributes.ReadOnly)
            || (access == AccessType.Execute && (attributes.ExecuteNever || !attributes.ReadOnly)))
        {
            // Xen sets SCTLR_EL2.WXN: a writable mapping is execute-never whatever its XN bit says.
            fault = FaultKind.Permission;
        }

        return new Translation(fault, level, pa, raw, attributes);
    }

    // The range checks run on every update; the messages are built out of line so the checks inline.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckRange(VirtAddr va, ulong size)
    {
        if (!va.IsPageAligned || (size & Addressing.PageMask) != 0
            || size > (1UL << TFormat.VaBits) || va.Value > (1UL << TFormat.VaBits) - size)
        {
            ThrowBadRange(va, size);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckOutput(PhysAddr pa, ulong size)
    {
        if (!pa.IsPageAligned || size > (1UL << TFormat.PaBits) || pa.Value > (1UL << TFormat.PaBits) - size)
        {
            ThrowBadOutput(pa, size);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadRange(VirtAddr va, ulong size)
    {
        if (!va.IsPageAligned || (size & Addressing.PageMask) != 0)
        {
            throw new XenMmException(MmError.Misaligned, $"VA {va} or size 0x{size:X} is not page-aligned.");
        }

        throw new XenMmException(MmError.InvalidAddress, $"VA range at {va} of 0x{size:X} bytes lies outside the {TFormat.VaBits}-bit {TFormat.Name} input range.");
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadOutput(PhysAddr pa, ulong size)
    {
        if (!pa.IsPageAligned)
        {
            throw new XenMmException(MmError.Misaligned, $"PA {pa} is not page-aligned.");
        }

        throw new XenMmException(MmError.InvalidAddress, $"PA range at {pa} of 0x{size:X} bytes lies outside the {TFormat.PaBits}-bit {TFormat.Name} output range.");
    }
}

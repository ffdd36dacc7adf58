using XenMm.Memory;

namespace XenMm.PageTables;

/// <summary>
/// Xen's rules for updating its own page tables (Xen: <c>arch/arm/mmu/pt.c</c>, <c>xen_pt_update</c>, current Xen)
/// over a <see cref="PageTables{TFormat}"/> tree, with the TLB maintenance Xen would do recorded in
/// <see cref="TlbLog"/>.
/// </summary>
/// <typeparam name="TFormat">The descriptor format.</typeparam>
/// <remarks>
/// Every refusal throws <see cref="XenMmException"/> naming the VA, and leaves the tables exactly as they were:
/// the whole range is checked before anything is written, and tables created before an allocation failure are
/// given back. Xen itself stops at the first bad entry and leaves the earlier ones updated (docs/fidelity.md).
/// </remarks>
public sealed partial class XenMappings<TFormat> : IXenMappings, ITableReservation, Machine.IAuditable
    where TFormat : struct, IPageTableFormat
{
    private const int PageLevel = 3;

    // Xen: XEN_PT_4K_NR_CONTIG, the number of entries the contiguous hint spans with the 4 KiB granule.
    private const ulong NrContig = 16;

    private readonly List<TlbMaintenance> _tlbLog = [];
    private readonly List<(ulong Entry, ulong Old)> _written = [];

    // The check pass counts the tables an insert or populate would create (one per missing table, whatever the
    // number of entries under it), so running out of table pages is found before anything is allocated or written.
    private readonly ulong[] _lastMissingRegion = new ulong[4];
    private ulong _tablesNeeded;
    private ulong _tablesAvailable;
    private bool _availableKnown;

    /// <summary>Applies Xen's rules to <paramref name="tables"/>.</summary>
    public XenMappings(PageTables<TFormat> tables, XenProfile profile = XenProfile.Current)
    {
        ArgumentNullException.ThrowIfNull(tables);
        tables.MarkDriven();
        Tables = tables;
        Profile = profile;
    }

    /// <summary>The tables updated.</summary>
    public PageTables<TFormat> Tables { get; }

    // Xen's xen_pt_lock: the tree's own lock, so its audit and dump never see half an update.
    private ref XenSpinlock PtLock => ref Tables.SyncRoot;

    /// <inheritdoc />
    public XenProfile Profile { get; }

    /// <summary>What Xen would have done to the TLBs after each update, oldest first.</summary>
    public IReadOnlyList<TlbMaintenance> TlbLog
    {
        get
        {
            using (PtLock.EnterScope())
            {
                return [.. _tlbLog];
            }
        }
    }

    /// <summary>
    /// Creates an empty tree whose table descriptors are Xen's (<see cref="LeafAttributes.XenTable"/>), with
    /// table pages from <paramref name="allocator"/>.
    /// </summary>
    public static XenMappings<TFormat> Create(PhysicalMemory memory, IFrameAllocator allocator, XenProfile profile = XenProfile.Current) =>
        new(PageTables<TFormat>.Create(memory, allocator, LeafAttributes.XenTable(profile)), profile);

    /// <summary>Appends the tree's audit problems (<see cref="PageTables{TFormat}.Audit"/>) as violations; taken under the page-table lock.</summary>
    public void Audit(List<Audit.AuditViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        PageTableAudit audit;
        using (PtLock.EnterScope())
        {
            audit = Tables.AuditLocked();
        }

        violations.AddRange(audit.Problems.Select(p => new Audit.AuditViolation("page tables", null, $"{TFormat.Name} tree at {Tables.Root}: {p}")));
    }

    /// <summary>Forgets the recorded TLB maintenance.</summary>
    public void ClearTlbLog()
    {
        using (PtLock.EnterScope())
        {
            _tlbLog.Clear();
        }
    }

    /// <summary>
    /// Xen's <c>map_pages_to_xen(va, mfn, nr, flags)</c>. With <see cref="PageFlags.Block"/>, 1 GiB and 2 MiB blocks
    /// are used where VA and MFN are aligned, in runs of 16 with the contiguous hint where possible.
    /// Passing <see cref="Mfn.Invalid"/> with <see cref="PageFlags.Present"/> modifies, as in Xen.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.WriteAndExecute"/>, <see cref="MmError.InvalidFlags"/>, <see cref="MmError.Misaligned"/>,
    /// <see cref="MmError.InvalidAddress"/>, <see cref="MmError.AlreadyMapped"/>, <see cref="MmError.TableEntry"/>,
    /// <see cref="MmError.WouldShatterBlock"/> or <see cref="MmError.OutOfMemory"/>; nothing is changed.
    /// </exception>
    public void Map(VirtAddr va, Mfn mfn, ulong nr, PageFlags flags)
    {
        if (mfn != Mfn.Invalid && (flags & PageFlags.Present) == 0)
        {
            // Xen ASSERTs this in xen_pt_update: a real MFN without _PAGE_PRESENT would be read as a removal.
            ThrowFlags(va, flags, "a real MFN needs _PAGE_PRESENT (without it map_pages_to_xen would remove the range)");
        }

        if (mfn != Mfn.Invalid && mfn.Value > (ulong.MaxValue >> Addressing.PageShift))
        {
            throw new XenMmException(MmError.InvalidAddress, $"VA {va}: MFN {mfn} has no 64-bit physical address.");
        }

        Update(va, mfn, nr, flags);
    }

    /// <summary>
    /// Xen's <c>destroy_xen_mappings(start, end)</c>: level-3 entries only (a block in the range is refused as a
    /// shatter), missing tables skipped, already-invalid entries allowed; tables and contiguous entries refused.
    /// </summary>
    public void Destroy(VirtAddr start, VirtAddr end) => Update(start, Mfn.Invalid, PagesBetween(start, end), PageFlags.None);

    /// <summary>
    /// Xen's <c>modify_xen_mappings(start, end, flags)</c>: sets RO and XN of existing leaves; refuses missing or
    /// invalid entries, tables, contiguous entries and a different AttrIndx.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidFlags"/> without <see cref="PageFlags.Present"/> or with <see cref="PageFlags.Populate"/>
    /// (Xen: ASSERT; it would remove or populate instead), and the errors of <see cref="Map"/>; nothing is changed.
    /// </exception>
    public void Modify(VirtAddr start, VirtAddr end, PageFlags flags)
    {
        if ((flags & (PageFlags.Present | PageFlags.Populate)) != PageFlags.Present)
        {
            ThrowFlags(start, flags, "modify_xen_mappings takes _PAGE_PRESENT and not _PAGE_POPULATE");
        }

        Update(start, Mfn.Invalid, PagesBetween(start, end), flags);
    }

    /// <summary>Xen's <c>populate_pt_range(va, nr)</c>: creates the tables down to level 3, writes no leaf.</summary>
    public void Populate(VirtAddr va, ulong nr) => Update(va, Mfn.Invalid, nr, PageFlags.Populate);

    /// <inheritdoc />
    public Translation Translate(VirtAddr va, AccessType access = AccessType.Read) => Tables.Translate(va, access);

    /// <inheritdoc />
    ulong ITableReservation.TablesToPopulate(VirtAddr va, ulong nr)
    {
        if (!va.IsPageAligned || nr > (ulong.MaxValue >> Addressing.PageShift))
        {
            return 0;
        }

        PageTables<TFormat>.CheckRange(va, nr << Addressing.PageShift);
        using (PtLock.EnterScope())
        {
            // The check pass of populate_pt_range, counting without a limit.
            _tablesNeeded = 0;
            _tablesAvailable = ulong.MaxValue;
            _availableKnown = true;
            _lastMissingRegion.AsSpan().Fill(ulong.MaxValue);
            var (error, _, _) = Run(new Operation(va.Value, Mfn.Invalid, nr, PageFlags.Populate, Profile), apply: false);
            return error == MmError.None ? _tablesNeeded : 0;
        }
    }

    /// <inheritdoc />
    bool ITableReservation.TakesFramesFrom(IFrameAllocator allocator) => Tables.TakesFramesFrom(allocator);

    /// <inheritdoc />
    ulong ITableReservation.TableFramesAvailable => Tables.FramesAvailable;

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowFlags(VirtAddr va, PageFlags flags, string why) =>
        throw new XenMmException(MmError.InvalidFlags, $"VA {va}: flags 0x{(uint)flags:X}: {why}.");

    private static ulong PagesBetween(VirtAddr start, VirtAddr end)
    {
        if (!start.IsPageAligned || !end.IsPageAligned)
        {
            throw new XenMmException(MmError.Misaligned, $"VA range [{start}, {end}) is not page-aligned (Xen: ASSERT in destroy/modify_xen_mappings).");
        }

        if (end < start)
        {
            throw new XenMmException(MmError.InvalidArgument, $"VA range [{start}, {end}) ends before it starts.");
        }

        return (end - start) >> Addressing.PageShift;
    }

    private void Update(VirtAddr va, Mfn mfn, ulong nr, PageFlags flags)
    {
        // Xen: xen_pt_update's checks before it takes the lock; nothing is flushed when they fail.
        if ((flags & PageFlags.Present) != 0 && (flags & (PageFlags.Ro | PageFlags.Xn)) == 0)
        {
            throw new XenMmException(MmError.WriteAndExecute, $"VA {va}: flags 0x{(uint)flags:X} map writable and executable memory (flags_has_rwx; SCTLR.WXN is set).");
        }

        if ((flags & PageFlags.Contig) != 0)
        {
            throw new XenMmException(MmError.InvalidFlags, $"VA {va}: _PAGE_CONTIG (0x{(uint)PageFlags.Contig:X}) is internal to Xen and may not be passed.");
        }

        if ((flags & (PageFlags.Present | PageFlags.Populate)) == (PageFlags.Present | PageFlags.Populate))
        {
            throw new XenMmException(MmError.InvalidFlags, $"VA {va}: _PAGE_POPULATE and _PAGE_PRESENT may not be set together.");
        }

        if (!va.IsPageAligned)
        {
            throw new XenMmException(MmError.Misaligned, $"VA {va} is not aligned to the page size.");
        }

        if (nr > (ulong.MaxValue >> Addressing.PageShift))
        {
            throw new XenMmException(MmError.InvalidArgument, $"VA {va}: {nr} pages do not fit a 64-bit address space.");
        }

        var size = nr << Addressing.PageShift;

        PageTables<TFormat>.CheckRange(va, size);
        if (mfn != Mfn.Invalid)
        {
            PageTables<TFormat>.CheckOutput(PhysAddr.FromMfn(mfn), size);
        }

        using (PtLock.EnterScope())
        {
            var op = new Operation(va.Value, mfn, nr, flags, Profile);
            _tablesNeeded = 0;
            _availableKnown = false;
            _lastMissingRegion.AsSpan().Fill(ulong.MaxValue);
            var (error, at, level) = Run(op, apply: false);
            if (error == MmError.None)
            {
                Tables.BeginUpdate();
                _written.Clear();
                (error, at, level) = Run(op, apply: true);
                if (error != MmError.None)
                {
                    RollBack();
                }
            }

            // Xen: only a pure insert skips the flush (no valid entry was replaced); every other update flushes the
            // whole range, even after a failure, since Xen may have changed part of it.
            _tlbLog.Add(new TlbMaintenance(op.IsInsert ? TlbOperation.Isb : TlbOperation.FlushRange, va, size));
            if (error != MmError.None)
            {
                throw op.Error(error, new VirtAddr(at), level);
            }
        }
    }

    // Xen: the loop of xen_pt_update, with xen_pt_mapping_level and xen_pt_check_contig. Checks only when
    // apply is false; writes when it is true (after a successful check, only an allocation can fail).
    private (MmError Error, ulong Va, int Level) Run(in Operation op, bool apply)
    {
        var vfn = op.Va >> Addressing.PageShift;
        var mfn = op.Mfn;
        var left = op.Pages;
        var allowBlocks = (op.Flags & PageFlags.Block) != 0;
        while (left != 0)
        {
            var mask = (op.HasMfn ? mfn.Value : 0) | vfn;
            var level = PageTables<TFormat>.LeafLevel(mask << Addressing.PageShift, left << Addressing.PageShift, allowBlocks);
            var order = PageTables<TFormat>.LevelShift(level) - Addressing.PageShift;
            var contig = 1UL;
            if (allowBlocks && op.HasMfn)
            {
                var span = NrContig << order;
                contig = left >= span && ((mfn.Value | vfn) & (span - 1)) == 0 ? NrContig : 1;
            }

            for (var i = 0UL; i < contig; i++)
            {
                var va = vfn << Addressing.PageShift;
                var (error, errorLevel) = apply ? Apply(op, va, mfn, level, contig > 1) : Check(op, va, level);
                if (error != MmError.None)
                {
                    return (error, va, errorLevel);
                }

                vfn += 1UL << order;
                if (op.HasMfn)
                {
                    mfn += 1UL << order;
                }

                left -= 1UL << order;
            }
        }

        return (MmError.None, 0, 0);
    }

    // Xen: xen_pt_update_entry's walk and xen_pt_check_entry, without writing.
    private (MmError, int) Check(in Operation op, ulong va, int target)
    {
        var status = Tables.WalkTo(va, target, create: false, out var entry, out var level);
        switch (status)
        {
            case WalkStatus.Missing:
                // Insert and populate would create the table, under which every entry is invalid; a removal of an
                // entry whose table is missing is a no-op; a modify fails with -ENOENT.
                if (op.IsModify)
                {
                    return (MmError.NotMapped, level);
                }

                if ((op.IsInsert || op.IsPopulate) && !ReserveTables(va, level, target, out var failedLevel))
                {
                    return (MmError.OutOfMemory, failedLevel);
                }

                return (MmError.None, level);
            case WalkStatus.Block:
                return (MmError.WouldShatterBlock, level);
        }

        var raw = Tables.ReadEntry(entry);
        var kind = TFormat.Classify(raw, target);
        var valid = (raw & 1) != 0;
        var isTable = kind == DescriptorKind.Table;
        if (op.IsModify)
        {
            if (!valid)
            {
                return (MmError.NotMapped, target);
            }

            if (isTable)
            {
                return (MmError.TableEntry, target);
            }

            var attributes = TFormat.DecodeAttributes(raw);
            if ((uint)attributes.AttrIndx != (uint)(op.Flags & PageFlags.AttrIndxMask))
            {
                return (MmError.AttributeMismatch, target);
            }

            return (attributes.Contiguous ? MmError.ContiguousEntry : MmError.None, target);
        }

        if (op.IsInsert)
        {
            return (!valid ? MmError.None : isTable ? MmError.TableEntry : MmError.AlreadyMapped, target);
        }

        if (op.IsRemove)
        {
            if (isTable)
            {
                return (MmError.TableEntry, target);
            }

            return (valid && TFormat.DecodeAttributes(raw).Contiguous ? MmError.ContiguousEntry : MmError.None, target);
        }

        return (MmError.None, target);
    }

    // Counts the tables for levels missingLevel + 1 .. target that the walk to va would create, once per table
    // (the check pass visits VAs in increasing order, so remembering the last region per level is enough).
    private bool ReserveTables(ulong va, int missingLevel, int target, out int failedLevel)
    {
        for (var level = missingLevel + 1; level <= target; level++)
        {
            var region = va >> PageTables<TFormat>.LevelShift(level - 1);
            if (_lastMissingRegion[level] == region)
            {
                continue;
            }

            if (!_availableKnown)
            {
                _tablesAvailable = Tables.FramesAvailable;
                _availableKnown = true;
            }

            if (_tablesNeeded == _tablesAvailable)
            {
                failedLevel = level - 1;
                return false;
            }

            _tablesNeeded++;
            _lastMissingRegion[level] = region;
        }

        failedLevel = 0;
        return true;
    }

    // Xen: xen_pt_update_entry's write, after Check passed for the whole range.
    private (MmError, int) Apply(in Operation op, ulong va, Mfn mfn, int target, bool contig)
    {
        var create = op.IsInsert || op.IsPopulate;
        var status = Tables.WalkTo(va, target, create, out var entry, out var level);
        if (status == WalkStatus.OutOfMemory)
        {
            return (MmError.OutOfMemory, level);
        }

        if (status != WalkStatus.Reached || op.IsPopulate)
        {
            // A removal under a missing table; or populate, which writes no leaf.
            return (MmError.None, level);
        }

        var old = Tables.ReadEntry(entry);
        ulong raw;
        if (op.IsRemove)
        {
            raw = 0;
        }
        else if (op.IsInsert)
        {
            raw = TFormat.MakeLeaf(PhysAddr.FromMfn(mfn), target, contig ? op.ContigBits : op.LeafBits);
        }
        else
        {
            // Modify: copy the entry, then set RO and XN from the flags and clear contig.
            var attributes = TFormat.DecodeAttributes(old);
            var updated = attributes with
            {
                ReadOnly = (op.Flags & PageFlags.Ro) != 0,
                ExecuteNever = (op.Flags & PageFlags.Xn) != 0,
                Contiguous = false,
            };
            raw = (old & ~TFormat.EncodeAttributes(attributes)) | TFormat.EncodeAttributes(updated);
        }

        _written.Add((entry, old));
        Tables.WriteEntry(entry, raw);
        return (MmError.None, target);
    }

    private void RollBack()
    {
        for (var i = _written.Count - 1; i >= 0; i--)
        {
            Tables.WriteEntry(_written[i].Entry, _written[i].Old);
        }

        _written.Clear();
        Tables.RollBackTables();
    }

    private readonly struct Operation
    {
        public Operation(ulong va, Mfn mfn, ulong pages, PageFlags flags, XenProfile profile)
        {
            Va = va;
            Mfn = mfn;
            Pages = pages;
            Flags = flags;
            HasMfn = mfn != Mfn.Invalid;
            var leaf = LeafAttributes.FromXenFlags(flags, profile);
            LeafBits = TFormat.EncodeAttributes(leaf);
            ContigBits = TFormat.EncodeAttributes(leaf with { Contiguous = true });
        }

        public ulong Va { get; }

        public Mfn Mfn { get; }

        public ulong Pages { get; }

        public PageFlags Flags { get; }

        public bool HasMfn { get; }

        public ulong LeafBits { get; }

        public ulong ContigBits { get; }

        public bool IsInsert => (Flags & PageFlags.Present) != 0 && HasMfn;

        public bool IsModify => (Flags & PageFlags.Present) != 0 && !HasMfn;

        public bool IsPopulate => (Flags & PageFlags.Populate) != 0;

        public bool IsRemove => (Flags & (PageFlags.Present | PageFlags.Populate)) == 0;

        public XenMmException Error(MmError error, VirtAddr va, int level) => error switch
        {
            MmError.NotMapped => new XenMmException(error, $"VA {va}: nothing is mapped at level {level} to modify (xen_pt_update_entry -ENOENT / xen_pt_check_entry)."),
            MmError.ContiguousEntry => new XenMmException(error, $"VA {va}: the level-{level} entry has the contiguous bit, which Xen never {(IsRemove ? "removes" : "modifies")} (xen_pt_check_entry)."),
            MmError.AttributeMismatch => new XenMmException(error, $"VA {va}: modifying the memory attribute index to {(uint)(Flags & PageFlags.AttrIndxMask)} is not allowed (xen_pt_check_entry)."),
            _ => PageTables<TFormat>.WalkError(error, va, level),
        };
    }
}

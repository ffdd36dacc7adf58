namespace XenMm.PageTables;

// Reading a whole tree: the merged dump of what is mapped and the audit of the table pages.
public sealed partial class PageTables<TFormat>
{
    /// <summary>
    /// Every mapped range in VA order, adjacent leaves merged when their VAs and PAs are contiguous and their
    /// attributes equal (the contiguous hint ignored). A table linked from more than one entry is listed once.
    /// </summary>
    public IReadOnlyList<MappedRange> Dump() => Dump(null);

    /// <summary>
    /// Every mapped range as <see cref="Dump()"/> gives it; each table link that points outside memory is added to
    /// <paramref name="unreadable"/> (in VA order) instead of being skipped silently.
    /// </summary>
    public IReadOnlyList<MappedRange> Dump(ICollection<UnreadableTable>? unreadable)
    {
        var ranges = new List<MappedRange>();
        using (_lock.EnterScope())
        {
            DumpTable(_root, TFormat.RootLevel, 0, ranges, [], unreadable);
        }

        return ranges;
    }

    /// <summary>
    /// Checks the tree: every table page this engine took is reachable from the root exactly once (no table without
    /// a parent, no leak), every link points to a page it owns, and no reserved descriptor is present.
    /// </summary>
    public PageTableAudit Audit()
    {
        using (_lock.EnterScope())
        {
            return AuditLocked();
        }
    }

    // Audit for a caller that holds the tree's lock (XenMappings: the lock is not re-entrant, as Xen's is not).
    internal PageTableAudit AuditLocked()
    {
        var problems = new List<string>();
        var reachable = new HashSet<ulong> { _root >> Addressing.PageShift };
        var owned = OwnedInOrder().ToHashSet();
        AuditTable(_root, TFormat.RootLevel, 0, owned, reachable, problems);
        if (!IsReadOnly)
        {
            foreach (var mfn in owned.Where(m => !reachable.Contains(m)).Order())
            {
                problems.Add($"table page {new Mfn(mfn)} has no parent (leaked)");
            }
        }

        return new PageTableAudit(reachable.Count, owned.Count, problems);
    }

    private void DumpTable(ulong table, int level, ulong vaBase, List<MappedRange> ranges, HashSet<ulong> seen, ICollection<UnreadableTable>? unreadable)
    {
        if (!seen.Add(table))
        {
            return;
        }

        if (!_memory.IsRam(new PhysAddr(table)))
        {
            var size = level == TFormat.RootLevel ? 1UL << TFormat.VaBits : LevelSize(level - 1);
            unreadable?.Add(new UnreadableTable(new VirtAddr(vaBase), size, level, new PhysAddr(table)));
            return;
        }

        var entries = level == TFormat.RootLevel ? RootEntries : 512;
        var shift = LevelShift(level);
        for (var i = 0; i < entries; i++)
        {
            var raw = ReadEntry(table + ((ulong)i << EntryShift));
            var va = vaBase + ((ulong)i << shift);
            switch (TFormat.Classify(raw, level))
            {
                case DescriptorKind.Table:
                    DumpTable(raw & TFormat.OutputAddressMask, level + 1, va, ranges, seen, unreadable);
                    break;
                case DescriptorKind.Block or DescriptorKind.Page:
                    var size = 1UL << shift;
                    var pa = raw & TFormat.OutputAddressMask & ~(size - 1);
                    var attributes = TFormat.DecodeAttributes(raw) with { Contiguous = false };
                    if (ranges.Count > 0 && ranges[^1] is var last && last.End == va && last.PhysStart.Value + last.Size == pa && last.Attributes == attributes)
                    {
                        ranges[^1] = last with { Size = last.Size + size };
                    }
                    else
                    {
                        ranges.Add(new MappedRange(new VirtAddr(va), new PhysAddr(pa), size, attributes));
                    }

                    break;
            }
        }
    }

    private void AuditTable(ulong table, int level, ulong vaBase, HashSet<ulong> owned, HashSet<ulong> reachable, List<string> problems)
    {
        var entries = level == TFormat.RootLevel ? RootEntries : 512;
        var shift = LevelShift(level);
        for (var i = 0; i < entries; i++)
        {
            var raw = ReadEntry(table + ((ulong)i << EntryShift));
            var va = new VirtAddr(vaBase + ((ulong)i << shift));
            switch (TFormat.Classify(raw, level))
            {
                case DescriptorKind.Reserved:
                    problems.Add($"VA {va}: reserved descriptor 0x{raw:X16} at level {level}");
                    break;
                case DescriptorKind.Table:
                    var next = raw & TFormat.OutputAddressMask;
                    var mfn = next >> Addressing.PageShift;
                    if (!reachable.Add(mfn))
                    {
                        problems.Add($"VA {va}: table page {new Mfn(mfn)} is linked more than once");
                    }
                    else if (!IsReadOnly && !owned.Contains(mfn))
                    {
                        problems.Add($"VA {va}: level-{level} entry links to page {new Mfn(mfn)}, which is not a table of this tree");
                    }
                    else if (_memory.IsRam(new PhysAddr(next)))
                    {
                        AuditTable(next, level + 1, va.Value, owned, reachable, problems);
                    }
                    else
                    {
                        problems.Add($"VA {va}: level-{level} entry links outside memory ({new PhysAddr(next)})");
                    }

                    break;
            }
        }
    }
}

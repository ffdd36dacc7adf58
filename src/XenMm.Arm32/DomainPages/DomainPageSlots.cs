using XenMm.Arm32.Layout;
using XenMm.Arm32.PageTables;
using XenMm.Audit;
using XenMm.Machine;
using XenMm.Memory;
using XenMm.PageTables;
using XenMm.VirtualMapping;

namespace XenMm.Arm32.DomainPages;

/// <summary>
/// arm32's <c>map_domain_page</c> (xen/arch/arm/mmu/domain_page.c; 2013: arch/arm/mm.c; xen-mm.md §3.3): each CPU
/// owns two second-level tables (root entries 2 and 3) holding 1024 slots of 2 MiB at <c>DOMHEAP_VIRT_START</c>,
/// an open-addressed hash keyed by the 2 MiB region, with a reference count in each slot descriptor's
/// <c>avail</c> bits (58:55). The descriptors live in simulated memory, so a CPU's tables translate its slots and
/// no other CPU's. <c>map_domain_page_global</c> goes through vmap and is seen by every CPU.
/// </summary>
/// <remarks>
/// Thread-safe: each CPU's slots have their own lock (Xen: interrupts off on that CPU). Refusals throw
/// <see cref="XenMmException"/> and change nothing.
/// </remarks>
public sealed partial class DomainPageSlots : IDomainPageMapper, IAuditable
{
    /// <summary>The largest reference count a slot holds (Xen: the 4-bit <c>avail</c> field, <c>&lt; 0xf</c>).</summary>
    public const int MaxReferences = 15;

    private const int AvailShift = 55;
    private const ulong AvailMask = 0xFUL << AvailShift;
    private const int SlotShift = 21; // Xen: SECOND_SHIFT
    private const ulong SlotPages = 512; // Xen: XEN_PT_LPAE_ENTRIES
    private const ulong BaseMask = 0x0000_FFFF_FFFF_F000;

    private readonly PhysicalMemory _memory;
    private readonly Func<Vmap?> _vmap;
    private readonly ulong _slotBits;
    private readonly List<Cpu> _cpus = [];

    /// <summary>Creates the mapper with no CPU; <see cref="AddCpu"/> registers each CPU's dommap tables.</summary>
    /// <param name="memory">The memory holding the dommap tables.</param>
    /// <param name="profile">Which Xen's slot descriptor to write (shareability differs, xen-mm.md Example 6).</param>
    /// <param name="vmap">Where <see cref="MapGlobal"/> takes its VAs (vmap exists only after <c>vm_init</c>).</param>
    public DomainPageSlots(PhysicalMemory memory, XenProfile profile, Func<Vmap?> vmap)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(vmap);
        _memory = memory;
        _vmap = vmap;

        // Xen: mfn_to_xen_entry(slot_mfn, MT_NORMAL) with avail = 1: a 2 MiB block, XN, the rest as every Xen entry.
        _slotBits = LpaeFormat.EncodeAttributes(LeafAttributes.XenTable(profile));
    }

    /// <summary>The CPUs registered.</summary>
    public int CpuCount
    {
        get
        {
            lock (_cpus)
            {
                return _cpus.Count;
            }
        }
    }

    /// <summary>
    /// Registers the next CPU's dommap: <paramref name="dommap"/> and the page after it, already zeroed and linked from
    /// root entries 2 and 3 of <paramref name="root"/> (Xen: <c>init_domheap_mappings</c>).
    /// </summary>
    public void AddCpu(Mfn root, Mfn dommap)
    {
        lock (_cpus)
        {
            _cpus.Add(new Cpu(root, dommap.ToPhysAddr().Value));
        }
    }

    /// <summary>The raw descriptor of <paramref name="slot"/> on <paramref name="cpu"/>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for a CPU or slot that does not exist.</exception>
    public ulong SlotEntry(int cpu, int slot)
    {
        var c = GetCpu(cpu);
        if ((uint)slot >= Arm32Layout.DomheapEntries)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Slot {slot} is outside 0..{Arm32Layout.DomheapEntries - 1}.");
        }

        lock (c)
        {
            return Read(c, slot);
        }
    }

    /// <summary>The reference count of <paramref name="slot"/> on <paramref name="cpu"/> (the descriptor's <c>avail</c> bits).</summary>
    public int RefCount(int cpu, int slot) => (int)((SlotEntry(cpu, slot) & AvailMask) >> AvailShift);

    /// <summary>How many single-page TLB flushes <paramref name="cpu"/> has done in <see cref="Map"/> (Xen flushes one 4 KiB VA per map, none per unmap).</summary>
    public long TlbFlushes(int cpu) => Interlocked.Read(ref GetCpu(cpu).Flushes);

    /// <summary>The VA of <paramref name="cpu"/>'s latest flush (<c>flush_xen_tlb_range_va_local(va, PAGE_SIZE)</c>), or null.</summary>
    public VirtAddr? LastFlushedVa(int cpu)
    {
        var c = GetCpu(cpu);
        lock (c)
        {
            return c.Flushes == 0 ? null : new VirtAddr(c.LastFlush);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Xen's probe: from slot <c>(slot_mfn &gt;&gt; 9) mod 1024</c> onwards, reuse a valid slot already mapping the same
    /// 2 MiB with a count below 15 (even a count of 0: the descriptor is not rewritten), else commandeer the first slot
    /// whose count is 0; a full table is a BUG in Xen (<see cref="MmError.SlotsExhausted"/> here).
    /// </remarks>
    public VirtAddr Map(int cpu, Mfn mfn)
    {
        var c = GetCpu(cpu);
        if (!_memory.IsRam(mfn))
        {
            throw new XenMmException(MmError.InvalidAddress, $"map_domain_page({mfn}): not a RAM page.");
        }

        var slotMfn = mfn.Value & ~(SlotPages - 1);
        lock (c)
        {
            var slot = (int)((slotMfn >> 9) % Arm32Layout.DomheapEntries);
            for (var i = 0; i < Arm32Layout.DomheapEntries; i++, slot = (slot + 1) % Arm32Layout.DomheapEntries)
            {
                var raw = Read(c, slot);
                var count = (raw & AvailMask) >> AvailShift;
                if (count < MaxReferences && (raw & BaseMask) == slotMfn << Addressing.PageShift && (raw & 1) != 0)
                {
                    Write(c, slot, raw + (1UL << AvailShift));
                    return Mapped(c, slot, mfn);
                }

                if (count == 0)
                {
                    // Xen: "Commandeer this 2MB slot": a new block descriptor, count 1; nothing flushed for the old one.
                    var pte = LpaeFormat.MakeLeaf(new PhysAddr(slotMfn << Addressing.PageShift), 2, _slotBits) | (1UL << AvailShift);
                    Write(c, slot, pte);
                    return Mapped(c, slot, mfn);
                }
            }
        }

        throw new XenMmException(MmError.SlotsExhausted, $"map_domain_page({mfn}) on CPU {cpu}: all {Arm32Layout.DomheapEntries} slots are in use (Xen: BUG_ON, \"callers have misbehaved\").");
    }

    /// <inheritdoc />
    /// <remarks>Xen: decrements the slot's count, leaves the descriptor valid and flushes nothing; a null pointer (VA 0) is ignored.</remarks>
    public void Unmap(int cpu, VirtAddr va)
    {
        var c = GetCpu(cpu);
        if (va.Value == 0)
        {
            return;
        }

        lock (c)
        {
            var slot = SlotOf(c, va, "unmap_domain_page");
            Write(c, slot, Read(c, slot) - (1UL << AvailShift));
        }
    }

    /// <inheritdoc />
    /// <remarks>Xen: a vmap address is translated by the hardware; otherwise the slot's base plus the page offset.</remarks>
    public Mfn ToMfn(int cpu, VirtAddr va)
    {
        var c = GetCpu(cpu);
        if (va.Value - Arm32Layout.VmapVirtStart < Arm32Layout.XenheapVirtStart - Arm32Layout.VmapVirtStart)
        {
            var t = PageTables<LpaeFormat>.Attach(_memory, c.Root.ToPhysAddr()).Translate(va);
            return t.IsFault
                ? throw new XenMmException(MmError.NotMapped, $"domain_page_map_to_mfn({va}): nothing is mapped there.")
                : t.PhysAddr.Mfn;
        }

        lock (c)
        {
            var slot = SlotOf(c, va, "domain_page_map_to_mfn");
            return new Mfn(((Read(c, slot) & BaseMask) >> Addressing.PageShift) + ((va.Value >> Addressing.PageShift) & (SlotPages - 1)));
        }
    }

    /// <inheritdoc />
    /// <remarks>Xen: <c>vmap(&amp;mfn, 1)</c>.</remarks>
    public VirtAddr MapGlobal(Mfn mfn)
    {
        var vmap = _vmap() ?? throw new XenMmException(MmError.InvalidState, "map_domain_page_global before vm_init.");
        if (!_memory.IsRam(mfn))
        {
            throw new XenMmException(MmError.InvalidAddress, $"map_domain_page_global({mfn}): not a RAM page.");
        }

        Span<Mfn> one = [mfn];
        return vmap.TryMap(one, out var va)
            ? va
            : throw new XenMmException(MmError.OutOfMemory, $"map_domain_page_global({mfn}): no vmap space left.");
    }

    /// <inheritdoc />
    /// <remarks>Xen: <c>vunmap(ptr)</c>.</remarks>
    public void UnmapGlobal(VirtAddr va)
    {
        var vmap = _vmap() ?? throw new XenMmException(MmError.InvalidState, "unmap_domain_page_global before vm_init.");
        if (vmap.Size(va, VmapRegion.Default) != 1)
        {
            throw new XenMmException(MmError.NotMapped, $"unmap_domain_page_global({va}): not a global domain-page mapping.");
        }

        vmap.Unmap(va);
    }

    /// <summary>
    /// Invariant 16 for every CPU: root entries 2 and 3 link that CPU's own dommap pages, every valid slot is a
    /// level-2 block of a 2 MiB-aligned region, and an invalid slot has a count of 0.
    /// </summary>
    public void Audit(List<AuditViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        Cpu[] cpus;
        lock (_cpus)
        {
            cpus = [.. _cpus];
        }

        for (var id = 0; id < cpus.Length; id++)
        {
            var c = cpus[id];
            lock (c)
            {
                for (var i = 0; i < Arm32Layout.DomheapSecondPages; i++)
                {
                    var link = _memory.ReadU64(c.Root.ToPhysAddr() + (ulong)(2 + i) * 8);
                    if ((link & 3) != 3 || (link & BaseMask) != c.Dommap + ((ulong)i << Addressing.PageShift))
                    {
                        violations.Add(new AuditViolation("16 domheap-slots", c.Root, $"CPU {id}: root entry {2 + i} is 0x{link:X16}, not a link to its dommap page {new PhysAddr(c.Dommap + ((ulong)i << Addressing.PageShift)).Mfn}"));
                    }
                }

                for (var slot = 0; slot < Arm32Layout.DomheapEntries; slot++)
                {
                    var raw = Read(c, slot);
                    if ((raw & 1) == 0)
                    {
                        if ((raw & AvailMask) != 0)
                        {
                            violations.Add(new AuditViolation("16 domheap-slots", null, $"CPU {id} slot {slot}: invalid descriptor 0x{raw:X16} with a reference count"));
                        }
                    }
                    else if ((raw & 3) != 1 || (raw & BaseMask & ((SlotPages << Addressing.PageShift) - 1)) != 0)
                    {
                        violations.Add(new AuditViolation("16 domheap-slots", null, $"CPU {id} slot {slot}: descriptor 0x{raw:X16} is not a 2 MiB block of a 2 MiB-aligned region"));
                    }
                }
            }
        }
    }

    private static VirtAddr Mapped(Cpu c, int slot, Mfn mfn)
    {
        var va = Arm32Layout.DomheapVirtStart + ((ulong)slot << SlotShift) + ((mfn.Value & (SlotPages - 1)) << Addressing.PageShift);

        // Xen: flush_xen_tlb_range_va_local(va, PAGE_SIZE): the previous occupant of the slot may still be cached.
        c.LastFlush = va;
        Interlocked.Increment(ref c.Flushes);
        return new VirtAddr(va);
    }

    private int SlotOf(Cpu c, VirtAddr va, string what)
    {
        var offset = va.Value - Arm32Layout.DomheapVirtStart;
        var slot = (int)(offset >> SlotShift);
        if (offset >= Arm32Layout.DomheapVirtSize || (Read(c, slot) & AvailMask) == 0)
        {
            throw new XenMmException(MmError.NotMapped, $"{what}({va}): no map_domain_page mapping is held there on this CPU (Xen: ASSERT).");
        }

        return slot;
    }

    private Cpu GetCpu(int cpu)
    {
        lock (_cpus)
        {
            return (uint)cpu < (uint)_cpus.Count
                ? _cpus[cpu]
                : throw new XenMmException(MmError.InvalidArgument, $"CPU {cpu} does not exist ({_cpus.Count} CPUs have dommap tables).");
        }
    }

    private ulong Read(Cpu c, int slot) => _memory.ReadU64(new PhysAddr(c.Dommap + ((ulong)slot << 3)));

    private void Write(Cpu c, int slot, ulong raw) => _memory.WriteU64(new PhysAddr(c.Dommap + ((ulong)slot << 3)), raw);

    private sealed class Cpu(Mfn root, ulong dommap)
    {
        public Mfn Root { get; } = root;

        public ulong Dommap { get; } = dommap;

        public long Flushes;

        public ulong LastFlush;
    }
}

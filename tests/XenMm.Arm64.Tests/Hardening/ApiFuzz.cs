using XenMm.Heap;
using XenMm.PageTables;
using XenMm.VirtualMapping;

namespace XenMm.Arm64.Tests.Hardening;

/// <summary>The public calls the fuzz makes, as data, so that a failing run can be replayed and shrunk.</summary>
internal enum Op
{
    HeapAlloc, HeapFree, DomAlloc, DomFree, Assign, Claim, SetMax, XenheapRange, InitPages,
    Map, Destroy, Modify, Populate, VmAlloc, VmFree, VTryMap, VUnmap, VMalloc, VZalloc, VFree, IoRemap, VInit, Translate,
}

/// <summary>One call with concrete arguments; <see cref="ToString"/> is the C# line of a reproducer.</summary>
internal readonly record struct Call(Op Op, long A, long B, long C, ulong D, ulong E)
{
    public override string ToString() => Op switch
    {
        Op.HeapAlloc => $"heap.TryAlloc({A}, {B}, {C}, new MemFlags(0x{D:X}), {Dom(E)}, out _);",
        Op.HeapFree => $"heap.Free(new Mfn(0x{D:X}), {C}, {E != 0});",
        Op.DomAlloc => $"domheap.TryAllocPages({Dom(E)}, {C}, new MemFlags(0x{D:X}), out _);",
        Op.DomFree => $"domheap.FreePages(new Mfn(0x{D:X}), {C});",
        Op.Assign => $"domheap.AssignPages(new Mfn(0x{D:X}), {A}, {Dom(E)}, new MemFlags(0x{B:X}));",
        Op.Claim => $"domheap.SetOutstandingPages({Dom(E)}, {D});",
        Op.SetMax => $"{Dom(E)}.MaxPages = {D};",
        Op.XenheapRange => $"heap.SetXenheapRange(new Mfn(0x{D:X}), new Mfn(0x{E:X}));",
        Op.InitPages => $"heap.InitHeapPages(new Mfn(0x{D:X}), {E});",
        Op.Map => $"xen.Map(new VirtAddr(0x{D:X}), new Mfn(0x{E:X}), {A}, (PageFlags)0x{B:X});",
        Op.Destroy => $"xen.Destroy(new VirtAddr(0x{D:X}), new VirtAddr(0x{E:X}));",
        Op.Modify => $"xen.Modify(new VirtAddr(0x{D:X}), new VirtAddr(0x{E:X}), (PageFlags)0x{B:X});",
        Op.Populate => $"xen.Populate(new VirtAddr(0x{D:X}), {A});",
        Op.VmAlloc => $"vmap.TryAlloc({A}, {B}, (VmapRegion){C}, out _);",
        Op.VmFree => $"vmap.Free(new VirtAddr(0x{D:X}));",
        Op.VTryMap => $"vmap.TryMap([{Mfns(A, E)}], {D}, 1, (PageFlags)0x{B:X}, (VmapRegion){C}, out _);",
        Op.VUnmap => $"vmap.Unmap(new VirtAddr(0x{D:X}));",
        Op.VMalloc => $"vmap.TryMalloc(0x{D:X}, out _, (VmapRegion){C});",
        Op.VZalloc => $"vmap.TryZalloc(0x{D:X}, out _);",
        Op.VFree => $"vmap.VFree(new VirtAddr(0x{D:X}));",
        Op.IoRemap => $"vmap.TryIoRemap(new PhysAddr(0x{D:X}), 0x{E:X}, (PageFlags)0x{B:X}, out _);",
        Op.VInit => $"vmap.Init((VmapRegion){C}, new VirtAddr(0x{D:X}), new VirtAddr(0x{E:X}));",
        _ => $"xen.Translate(new VirtAddr(0x{D:X}), (AccessType){C});",
    };

    private static string Mfns(long count, ulong first) => string.Join(", ", Enumerable.Range(0, (int)count).Select(i => $"new Mfn(0x{first + (ulong)i:X})"));

    private static string Dom(ulong e) => e == 0 ? "null" : $"d{e}";
}

/// <summary>Generates calls with a large share of bad and edge inputs, biased towards what the machine holds.</summary>
internal sealed class CallGenerator(int seed)
{
    private static readonly PageFlags[] Flags =
    [
        PageFlags.Hypervisor, PageFlags.HypervisorRo, PageFlags.HypervisorRx, PageFlags.HypervisorNoCache, PageFlags.HypervisorWc,
        PageFlags.Hypervisor | PageFlags.Block, PageFlags.None, PageFlags.Ro | PageFlags.Xn, PageFlags.Normal, PageFlags.Contig | PageFlags.Hypervisor,
        PageFlags.Populate, PageFlags.Present | PageFlags.Populate, PageFlags.Device, (PageFlags)0xFFFF_FFFF,
    ];

    private readonly Random _r = new(seed);

    public Call Next(FuzzMachine m)
    {
        var r = _r;
        var op = (Op)r.Next((int)Op.Translate + 1);
        var (mfn, order) = PickChunk(m);
        var dom = (ulong)r.Next(3);
        var flags = (uint)Pick(Flags);
        var va = PickVa(m);
        return op switch
        {
            Op.HeapAlloc => new(op, PickZone(), PickZone(), PickOrder(), PickMemFlags(), dom),
            Op.HeapFree or Op.DomFree => new(op, 0, 0, order, mfn, (ulong)r.Next(2)),
            Op.DomAlloc => new(op, 0, 0, PickOrder(), PickMemFlags(), dom),
            Op.Assign => new(op, Pick(new long[] { 0, 1, 1L << order, 3, -1 }), (long)PickMemFlags(), 0, mfn, (ulong)r.Next(1, 3)),
            Op.Claim or Op.SetMax => new(op, 0, 0, 0, Pick(new ulong[] { 0, 1, 4, 9, 40, 64, 300, ulong.MaxValue }), (ulong)r.Next(1, 3)),
            Op.XenheapRange => new(op, 0, 0, 0, PickMfn(), PickMfn()),
            Op.InitPages => new(op, 0, 0, 0, PickMfn(), Pick(new ulong[] { 0, 1, 2, 16, m.Pages, ulong.MaxValue })),
            Op.Map => new(op, PickPages(), flags, 0, va, r.Next(4) == 0 ? ulong.MaxValue : PickMfn()),
            Op.Destroy or Op.Modify => new(op, 0, flags, 0, va, va + (PickVaSpan() << 12) + (r.Next(8) == 0 ? 0x10UL : 0)),
            Op.Populate => new(op, PickPages(), 0, 0, va, 0),
            Op.VmAlloc => new(op, PickPages(), r.Next(5), PickRegion(), 0, 0),
            Op.VmFree or Op.VUnmap or Op.VFree => new(op, 0, 0, 0, va, 0),
            Op.VTryMap => new(op, r.Next(0, 4), flags, PickRegion(), Pick(new ulong[] { 1, 2, 3, 16, uint.MaxValue, 1UL << 31 }), PickMfn()),
            Op.VMalloc or Op.VZalloc => new(op, 0, 0, PickRegion(), Pick(new ulong[] { 0, 1, 4096, 4097, 3 * 4096, 1UL << 20, uint.MaxValue << 12, 1UL << 43, ulong.MaxValue }), 0),
            Op.IoRemap => new(op, 0, flags, 0, Pick(new ulong[] { 0x0900_0010, FuzzMachine.RamStart, 1UL << 48, ulong.MaxValue - 4 }), Pick(new ulong[] { 0, 1, 0x100, 0x2000, ulong.MaxValue - 7, 1UL << 40 })),
            Op.VInit => new(op, 0, 0, PickRegion(), Pick(new ulong[] { FuzzMachine.VmapStart, FuzzMachine.Window, FuzzMachine.Window + 0x10, 0x0000_0C00_0000_0000 }), Pick(new ulong[] { 0x0000_0C00_0100_0000, FuzzMachine.Window + (1UL << 24), 0 })),
            _ => new(op, 0, 0, r.Next(3), va + (ulong)r.Next(4096), 0),
        };
    }

    private T Pick<T>(T[] items) => items[_r.Next(items.Length)];

    private long PickZone() => Pick(new long[] { -1, 0, 1, 5, 19, 20, 36, 37, int.MaxValue, int.MinValue });

    private long PickOrder() => _r.Next(4) == 0 ? Pick(new long[] { -1, 9, 18, 19, 64 }) : _r.Next(4);

    private ulong PickMemFlags()
    {
        ulong f = 0;
        foreach (var bit in new[] { MemFlags.NoRefcount, MemFlags.NoOwner, MemFlags.NoScrub, MemFlags.KeepScrub, MemFlags.ExactNode })
        {
            f |= _r.Next(5) == 0 ? bit.Value : 0;
        }

        return f | (_r.Next(6) switch { 0 => MemFlags.Node(_r.Next(3)).Value, 1 => MemFlags.Bits(_r.Next(1, 64)).Value, _ => 0 });
    }

    private ulong PickMfn() => _r.Next(6) switch
    {
        0 => Pick(new ulong[] { 0, 1, FuzzMachine.FirstMfn - 1, 1UL << 52, ulong.MaxValue >> 12, 0x09000 }),
        _ => FuzzMachine.FirstMfn + (ulong)_r.Next(-2, 260),
    };

    private long PickPages() => _r.Next(6) == 0 ? Pick(new long[] { 0, 512, 1 << 18, -1 }) : _r.Next(1, 5);

    // Spans cross a whole table (512) and two (1025); crossing level-1 and level-2 entries comes from the VA just below
    // Window + 1 GiB. A 4 GiB span (2^20 pages) walked every page twice (as Xen's xen_pt_update does): a second each.
    private ulong PickVaSpan() => (ulong)(_r.Next(6) == 0 ? Pick(new long[] { 0, 512, 1025 }) : _r.Next(1, 5));

    private long PickRegion() => _r.Next(8) == 0 ? Pick(new long[] { -1, 1, 2, 7 }) : 0;

    private (ulong Mfn, int Order) PickChunk(FuzzMachine m)
    {
        if (m.Chunks.Count != 0 && _r.Next(3) != 0)
        {
            var c = m.Chunks[_r.Next(m.Chunks.Count)];
            return _r.Next(6) == 0 ? (c.Mfn + (ulong)_r.Next(-1, 2), c.Order + _r.Next(-1, 2)) : c;
        }

        return (PickMfn(), (int)PickOrder());
    }

    private ulong PickVa(FuzzMachine m)
    {
        if (m.Areas.Count != 0 && _r.Next(3) == 0)
        {
            var a = m.Areas[_r.Next(m.Areas.Count)].Va;
            return _r.Next(5) == 0 ? a + Pick(new ulong[] { 0x1000, 0x10, 0x2000 }) : a & ~0xFFFUL;
        }

        return _r.Next(8) switch
        {
            0 => Pick(new ulong[] { 0, FuzzMachine.VmapStart, FuzzMachine.VmapStart + 0x1000, 1UL << 48, ulong.MaxValue & ~0xFFFUL, FuzzMachine.Window + 0x10, FuzzMachine.Window + (1UL << 30) - 0x2000 }),
            1 => FuzzMachine.Window + ((ulong)_r.Next(4) << 21),
            _ => FuzzMachine.Window + ((ulong)_r.Next(64) << 12),
        };
    }
}

/// <summary>Runs calls against a <see cref="FuzzMachine"/> and checks the contract after each.</summary>
internal static class ApiFuzz
{
    public enum Outcome { Skipped, Accepted, Refused }

    /// <summary>Runs <paramref name="calls"/> on a fresh machine; the index and message of the first contract break, or null.</summary>
    public static (int Index, string Message)? Run(IReadOnlyList<Call> calls, XenProfile profile = XenProfile.Current)
    {
        var m = new FuzzMachine(profile: profile);
        for (var i = 0; i < calls.Count; i++)
        {
            if (Check(m, calls[i]) is { } message)
            {
                return (i, message);
            }
        }

        return null;
    }

    /// <summary>Executes one call and checks the contract; the break, or null.</summary>
    /// <remarks>
    /// One snapshot per call: the state before it is the snapshot taken after the previous call
    /// (<see cref="FuzzMachine.Last"/>), and the audits run only when the snapshot shows their inputs changed.
    /// </remarks>
    public static string? Check(FuzzMachine m, Call call)
    {
        var before = m.Last ?? m.Take();
        Outcome outcome;
        try
        {
            outcome = Execute(m, call);
        }
        catch (XenMmException e)
        {
            var after = m.Take();
            m.Last = after;
            return after == before ? null : $"refused ({e.Error}: {e.Message}) but the state changed: {before} -> {after}";
        }
        catch (Exception e)
        {
            m.Last = null;
            return $"threw {e.GetType().Name} instead of XenMmException: {e.Message}";
        }

        var now = m.Take();
        m.Last = now;
        return outcome == Outcome.Skipped ? null : m.Violations(now) is { } v ? $"accepted, then: {v}" : null;
    }

    /// <summary>
    /// Delta debugging within a time budget: drops chunks of calls (halves, quarters, ... single calls) while the run
    /// still breaks the contract in the same way (the message up to its first colon), and cuts the tail after the break.
    /// </summary>
    public static List<Call> Shrink(List<Call> calls, XenProfile profile, double seconds = 30)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (Run(calls, profile) is not { } failing)
        {
            return calls;
        }

        var kind = Kind(failing.Message);
        var current = calls.Take(failing.Index + 1).ToList();
        for (var size = Math.Max(1, current.Count / 2); clock.Elapsed.TotalSeconds < seconds;)
        {
            var removed = false;
            for (var start = current.Count - 1 - size; start >= 0 && clock.Elapsed.TotalSeconds < seconds; start -= size)
            {
                // Never drop the breaking call itself (the last one).
                var candidate = current.Take(start).Concat(current.Skip(start + size)).ToList();
                if (Run(candidate, profile) is { } f && Kind(f.Message) == kind)
                {
                    current = candidate.Take(f.Index + 1).ToList();
                    removed = true;
                    start = Math.Min(start, current.Count - 1);
                }
            }

            if (size == 1 && !removed)
            {
                break;
            }

            size = removed ? size : Math.Max(1, size / 2);
            size = Math.Min(size, Math.Max(1, current.Count / 2));
        }

        return current;
    }

    private static string Kind(string message) => string.Join(':', message.Split(':').Take(2));

    private static Outcome Execute(FuzzMachine m, Call c)
    {
        var d = c.E is 1 or 2 ? m.Domains[(int)c.E - 1] : null;
        switch (c.Op)
        {
            case Op.HeapAlloc:
                if (m.Heap.TryAlloc((int)c.A, (int)c.B, (int)c.C, new MemFlags((uint)c.D), d, out var h))
                {
                    m.Chunks.Add((h.Value, (int)c.C));
                }

                return Outcome.Accepted;
            case Op.DomAlloc:
                if (m.Domheap.TryAllocPages(d, (int)c.C, new MemFlags((uint)c.D), out var dm))
                {
                    m.Chunks.Add((dm.Value, (int)c.C));
                }

                return Outcome.Accepted;
            case Op.HeapFree or Op.DomFree:
                if (m.TouchesOthers(c.D, (int)c.C))
                {
                    return Outcome.Skipped;
                }

                if (c.Op == Op.HeapFree)
                {
                    // The heap's own free takes no domain accounting: an owned chunk is refused (InvalidState).
                    m.Heap.Free(new Mfn(c.D), (int)c.C, c.E != 0);
                }
                else
                {
                    m.Domheap.FreePages(new Mfn(c.D), (int)c.C);
                }

                m.Chunks.Remove((c.D, (int)c.C));
                return Outcome.Accepted;
            case Op.Assign:
                if (c.A > 0 && m.TouchesOthersRange(c.D, (ulong)c.A))
                {
                    return Outcome.Skipped;
                }

                m.Domheap.AssignPages(new Mfn(c.D), (ulong)c.A, d!, new MemFlags((uint)c.B));
                return Outcome.Accepted;
            case Op.Claim:
                m.Domheap.SetOutstandingPages(d!, c.D);
                return Outcome.Accepted;
            case Op.SetMax:
                d!.MaxPages = c.D;
                return Outcome.Accepted;
            case Op.XenheapRange:
                m.Heap.SetXenheapRange(new Mfn(c.D), new Mfn(c.E));
                return Outcome.Accepted;
            case Op.InitPages:
                // Handing someone else's unowned in-use pages (table frames, vmalloc pages) to the heap is the
                // caller's use-after-free, which the heap cannot tell from a legitimate hand-back. A domain's pages
                // it can tell: those calls run, and the heap must refuse them.
                if (c.E != 0 && m.TouchesOthersRange(c.D, c.E, ignoreOwned: true))
                {
                    return Outcome.Skipped;
                }

                m.Heap.InitHeapPages(new Mfn(c.D), c.E);
                m.GiveBack(c.D, c.E); // the caller handed those of its pages to the heap: it no longer holds them
                return Outcome.Accepted;
            case Op.Map:
                if (Touches(m, c.D, c.D + ((ulong)c.A << 12)))
                {
                    return Outcome.Skipped; // a map over the bitmap pages (INVALID_MFN removes) corrupts vmap's state
                }

                m.Xen.Map(new VirtAddr(c.D), new Mfn(c.E), (ulong)c.A, (PageFlags)c.B);
                return Outcome.Accepted;
            case Op.Destroy:
                if (Touches(m, c.D, c.E))
                {
                    return Outcome.Skipped;
                }

                m.Xen.Destroy(new VirtAddr(c.D), new VirtAddr(c.E));
                return Outcome.Accepted;
            case Op.Modify:
                if (Touches(m, c.D, c.E))
                {
                    return Outcome.Skipped;
                }

                m.Xen.Modify(new VirtAddr(c.D), new VirtAddr(c.E), (PageFlags)c.B);
                return Outcome.Accepted;
            case Op.Populate:
                m.Xen.Populate(new VirtAddr(c.D), (ulong)c.A);
                return Outcome.Accepted;
            case Op.VmAlloc:
                if (m.Vmap.TryAlloc((uint)c.A, (uint)c.B, (VmapRegion)c.C, out var a))
                {
                    m.Areas.Add((a.Value, false));
                }

                return Outcome.Accepted;
            case Op.VmFree or Op.VUnmap or Op.VFree:
                var held = m.Areas.FindIndex(x => x.Va == c.D);
                if (c.Op == Op.VmFree)
                {
                    if (held >= 0 && m.Areas[held].Malloc)
                    {
                        return Outcome.Skipped; // vm_free of a vmalloc area leaks its pages by design
                    }

                    m.Vmap.Free(new VirtAddr(c.D));
                }
                else if (c.Op == Op.VUnmap)
                {
                    if (held >= 0 && m.Areas[held].Malloc)
                    {
                        return Outcome.Skipped; // vunmap of a vmalloc area leaks its pages, as in Xen
                    }

                    m.Vmap.Unmap(new VirtAddr(c.D));
                }
                else
                {
                    m.Vmap.VFree(new VirtAddr(c.D));
                }

                if (held >= 0 && c.D != 0)
                {
                    m.Areas.RemoveAt(held);
                }

                return Outcome.Accepted;
            case Op.VTryMap:
                var mfns = Enumerable.Range(0, (int)c.A).Select(i => new Mfn(c.E + (ulong)i)).ToArray();
                if (m.Vmap.TryMap(mfns, (uint)c.D, 1, (PageFlags)c.B, (VmapRegion)c.C, out var t))
                {
                    m.Areas.Add((t.Value, false));
                }

                return Outcome.Accepted;
            case Op.VMalloc or Op.VZalloc:
                var ok = c.Op == Op.VMalloc ? m.Vmap.TryMalloc(c.D, out var v, (VmapRegion)c.C) : m.Vmap.TryZalloc(c.D, out v);
                if (ok)
                {
                    m.Areas.Add((v.Value, true));
                }

                return Outcome.Accepted;
            case Op.IoRemap:
                if (m.Vmap.TryIoRemap(new PhysAddr(c.D), c.E, (PageFlags)c.B, out var io))
                {
                    m.Areas.Add((io.Value & ~0xFFFUL, false));
                }

                return Outcome.Accepted;
            case Op.VInit:
                m.Vmap.Init((VmapRegion)c.C, new VirtAddr(c.D), new VirtAddr(c.E));
                m.XenRegion |= (VmapRegion)c.C == VmapRegion.Xen;
                return Outcome.Accepted;
            default:
                var tr = m.Xen.Translate(new VirtAddr(c.D), (AccessType)c.C);
                if (tr.IsFault == tr.TryGetPhysAddr(out _))
                {
                    throw new InvalidOperationException("TryGetPhysAddr disagrees with IsFault");
                }

                return Outcome.Skipped;
        }
    }

    // Direct table changes inside a vmap region's bitmap pages would corrupt vmap's own state (Xen would crash too).
    private static bool Touches(FuzzMachine m, ulong start, ulong end) =>
        start <= end && m.BitmapRanges().Any(r => start < r.End && end > r.Start);
}

using CsCheck;
using XenMm.Arm64.PageTables;
using XenMm.Memory;
using XenMm.PageTables;
using XenMm.Tests.Shared;

namespace XenMm.Arm64.Tests.PageTables;

/// <summary>The generic engine on arm64: faults, walk traces, dumps, the audit, and a model-based property test.</summary>
public class PageTablesTests
{
    private const ulong Va = 0x0000_0A00_4000_0000;

    [Fact]
    public void Faults_report_their_level_and_kind()
    {
        var host = new TestHost();
        var tables = PageTables<Vmsa64Format>.Create(host.Memory, host.Frames);
        Assert.Equal((FaultKind.Translation, 0), Fault(tables.Translate(new VirtAddr(Va))));
        Assert.Equal((FaultKind.Translation, 0), Fault(tables.Translate(new VirtAddr(1UL << 48))));

        tables.MapRange(new VirtAddr(Va), new PhysAddr(0x8000_0000), 4096, new LeafAttributes(MairIndex.MT_NORMAL, Shareability.Inner, AccessFlag: false), allowBlocks: false);
        Assert.Equal((FaultKind.AccessFlag, 3), Fault(tables.Translate(new VirtAddr(Va))));
        Assert.Equal((FaultKind.Translation, 3), Fault(tables.Translate(new VirtAddr(Va + 4096))));

        // Xen's SCTLR_EL2.WXN: a writable page is never executable, even without XN.
        tables.MapRange(new VirtAddr(Va + 8192), new PhysAddr(0x8000_0000), 4096, new LeafAttributes(MairIndex.MT_NORMAL, Shareability.Inner), allowBlocks: false);
        Assert.Equal((FaultKind.Permission, 3), Fault(tables.Translate(new VirtAddr(Va + 8192), AccessType.Execute)));
        Assert.Equal(AccessPermissions.Read | AccessPermissions.Write, tables.Translate(new VirtAddr(Va + 8192)).Permissions);
    }

    [Fact]
    public void A_foreign_walk_faults_outside_RAM_reads_unwritten_RAM_as_zero_and_crosses_chunks()
    {
        // 8 MiB of RAM: four 2 MiB chunks. Root at its start; each root entry tries one kind of next step.
        var memory = new PhysicalMemory([new RamBank(new PhysAddr(0x4000_0000), 8UL << 20)], 48);
        memory.WriteU64(new PhysAddr(0x4000_0000), 0x9000_0000 | 3);            // VA 0: a table outside RAM
        memory.WriteU64(new PhysAddr(0x4000_0008), 0x4040_0000 | 3);            // VA 1 << 39: a table never written
        memory.WriteU64(new PhysAddr(0x4000_0010), 0x4060_0000 | 3);            // VA 2 << 39: a table in the last chunk
        memory.WriteU64(new PhysAddr(0x4060_0000), 0x8000_0000 | 0x70D);        // ... holding a 1 GiB block
        memory.WriteU64(new PhysAddr(0x4000_0018), 0x4000_1000 | 3);            // VA 3 << 39: a table in the root's chunk
        memory.WriteU64(new PhysAddr(0x4000_1008), 0xC000_0000 | 0x70D);        // ... holding a 1 GiB block at entry 1
        var tables = PageTables<Vmsa64Format>.Attach(memory, new PhysAddr(0x4000_0000));

        var abort = tables.Translate(new VirtAddr(0));
        var unwritten = tables.Translate(new VirtAddr(1UL << 39));
        var block = tables.Translate(new VirtAddr((2UL << 39) + 0x1234));
        var near = tables.Translate(new VirtAddr((3UL << 39) + (1UL << 30) + 0x5678));
        var nearHole = tables.Translate(new VirtAddr(3UL << 39));

        Assert.Equal((FaultKind.ExternalAbort, 1), (abort.Fault, abort.Level));
        Assert.Equal((FaultKind.Translation, 1), (unwritten.Fault, unwritten.Level));
        Assert.Equal((FaultKind.None, 1, 0x8000_1234UL), (block.Fault, block.Level, block.PhysAddr.Value));
        Assert.Equal((FaultKind.None, 1, 0xC000_5678UL), (near.Fault, near.Level, near.PhysAddr.Value));
        Assert.Equal((FaultKind.Translation, 1), (nearHole.Fault, nearHole.Level));
    }

    [Fact]
    public void A_tree_owns_its_root_first_then_each_table_it_creates_and_gives_back_only_those_of_a_failed_map()
    {
        // The root is owned without being stored in the tree (it is always first); the first table beside it is
        // stored inline and the next ones spill to an array, and TablePages lists them all in address order.
        var host = new TestHost(frames: 5); // frames 0x40000-0x40004; the root is a page of its own, outside them
        var root = new Mfn(0x4_0100);
        var rw = LeafAttributes.FromXenFlags(PageFlags.HypervisorRw);
        var tables = PageTables<Vmsa64Format>.Create(host.Memory, host.Frames, root);
        Assert.Equal([root], tables.TablePages);

        tables.MapRange(new VirtAddr(Va), new PhysAddr(0x8000_0000), 4096, rw, allowBlocks: false);
        var afterFirst = tables.TablePages;
        Assert.Equal([new Mfn(0x4_0000), new Mfn(0x4_0001), new Mfn(0x4_0002), root], afterFirst);

        // The next 512 GiB slot needs three new tables and two frames are left: the map creates two, fails, and gives
        // back those two, and only those.
        var ex = Assert.Throws<XenMmException>(() => tables.MapRange(new VirtAddr(Va + (1UL << 39)), new PhysAddr(0x8000_0000), 4096, rw, allowBlocks: false));
        Assert.Equal(MmError.OutOfMemory, ex.Error);
        Assert.Equal(2UL, host.Frames.Available);
        Assert.Equal(afterFirst, tables.TablePages);
    }

    [Fact]
    public void Attached_tables_refuse_updates_and_stay_as_they_were()
    {
        var memory = new PhysicalMemory([new RamBank(new PhysAddr(0x4000_0000), 8UL << 20)], 48);
        memory.WriteU64(new PhysAddr(0x4000_0010), 0x4060_0000 | 3);
        var tables = PageTables<Vmsa64Format>.Attach(memory, new PhysAddr(0x4000_0000));
        using var before = new MemoryStream();
        memory.ExportImage(new PhysAddr(0x4000_0000), 8UL << 20, before);

        var ex = Assert.Throws<XenMmException>(() => tables.MapRange(
            new VirtAddr(0), new PhysAddr(0x8000_0000), 1UL << 30, LeafAttributes.FromXenFlags(PageFlags.HypervisorRw), allowBlocks: true));

        Assert.Equal(MmError.InvalidState, ex.Error);
        Assert.Contains("0x40000000", ex.Message);
        Assert.Contains("read-only", ex.Message);
        Assert.True(tables.IsReadOnly);
        Assert.Empty(tables.TablePages); // a foreign image's pages, its root included, are not this engine's
        using var after = new MemoryStream();
        memory.ExportImage(new PhysAddr(0x4000_0000), 8UL << 20, after);
        Assert.Equal(before.ToArray(), after.ToArray());
    }

    [Fact]
    public void Map_range_is_all_or_nothing()
    {
        var host = new TestHost();
        var tables = PageTables<Vmsa64Format>.Create(host.Memory, host.Frames);
        var attributes = LeafAttributes.FromXenFlags(PageFlags.HypervisorRw);
        tables.MapRange(new VirtAddr(Va + (3UL << 21)), new PhysAddr(0x9000_0000), 4096, attributes, allowBlocks: false);
        var before = host.Snapshot();
        var used = host.Frames.Used;
        var ex = Assert.Throws<XenMmException>(() => tables.MapRange(new VirtAddr(Va), new PhysAddr(0x8000_0000), 4UL << 21, attributes, allowBlocks: true));
        Assert.Equal(MmError.TableEntry, ex.Error);
        Assert.Equal(before, host.Snapshot());
        Assert.Equal(used, host.Frames.Used);
        Assert.True(tables.Audit().IsClean);
    }

    [Fact]
    public void Dump_merges_contiguous_leaves_of_equal_attributes()
    {
        var host = new TestHost();
        var xen = XenMappings<Vmsa64Format>.Create(host.Memory, host.Frames);
        xen.Map(new VirtAddr(Va), new Mfn(0x80000), 3, PageFlags.HypervisorRw);
        xen.Map(new VirtAddr(Va + 0x3000), new Mfn(0x80003), 1, PageFlags.HypervisorRo);
        xen.Map(new VirtAddr(Va + 0x4000), new Mfn(0x90000), 1, PageFlags.HypervisorRo);
        var rw = LeafAttributes.FromXenFlags(PageFlags.HypervisorRw);
        var ro = LeafAttributes.FromXenFlags(PageFlags.HypervisorRo);
        Assert.Equal(
            [
                new MappedRange(new VirtAddr(Va), new PhysAddr(0x8000_0000), 0x3000, rw),
                new MappedRange(new VirtAddr(Va + 0x3000), new PhysAddr(0x8000_3000), 0x1000, ro),
                new MappedRange(new VirtAddr(Va + 0x4000), new PhysAddr(0x9000_0000), 0x1000, ro),
            ],
            xen.Tables.Dump());
    }

    [Fact]
    public void Audit_finds_a_table_without_parent()
    {
        var host = new TestHost();
        var xen = XenMappings<Vmsa64Format>.Create(host.Memory, host.Frames);
        xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.HypervisorRw);
        var l2 = xen.Tables.Walk(new VirtAddr(Va))[2];
        host.Memory.WriteU64(l2.DescriptorAddress, 0);
        var audit = xen.Tables.Audit();
        Assert.False(audit.IsClean);
        Assert.Contains(audit.Problems, p => p.Contains("has no parent", StringComparison.Ordinal));
    }

    [Fact]
    public void Random_map_modify_destroy_keep_translate_equal_to_a_dictionary_model()
    {
        // 64 pages over two 2 MiB regions; ops: (kind, first page, count, read-only).
        var ops = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 63], Gen.Int[1, 8], Gen.Bool).Array[1, 40];
        ops.Sample(sequence =>
        {
            var host = new TestHost();
            var xen = XenMappings<Vmsa64Format>.Create(host.Memory, host.Frames);
            var model = new Dictionary<int, (ulong Mfn, bool ReadOnly)>();
            foreach (var (kind, first, n, readOnly) in sequence)
            {
                var count = Math.Min(n, 64 - first);
                var start = new VirtAddr(PageVa(first));
                var end = new VirtAddr(PageVa(first + count));
                var flags = readOnly ? PageFlags.HypervisorRo : PageFlags.HypervisorRw;
                var range = Enumerable.Range(first, count).ToArray();
                var before = host.Snapshot();
                try
                {
                    switch (kind)
                    {
                        case 0:
                            xen.Map(start, new Mfn(0x80000 + (ulong)first * 7), (ulong)count, flags);
                            Assert.DoesNotContain(range, model.ContainsKey);
                            foreach (var p in range)
                            {
                                model[p] = (0x80000 + ((ulong)first * 7) + (ulong)(p - first), readOnly);
                            }

                            break;
                        case 1:
                            xen.Modify(start, end, flags);
                            Assert.All(range, p => Assert.True(model.ContainsKey(p)));
                            foreach (var p in range)
                            {
                                model[p] = (model[p].Mfn, readOnly);
                            }

                            break;
                        default:
                            xen.Destroy(start, end);
                            foreach (var p in range)
                            {
                                model.Remove(p);
                            }

                            break;
                    }
                }
                catch (XenMmException ex)
                {
                    Assert.Equal(kind == 0 ? MmError.AlreadyMapped : MmError.NotMapped, ex.Error);
                    Assert.True(kind == 0 ? range.Any(model.ContainsKey) : !range.All(model.ContainsKey));
                    Assert.Equal(before, host.Snapshot());
                }

                for (var p = 0; p < 64; p++)
                {
                    var t = xen.Translate(new VirtAddr(PageVa(p) + 0x18));
                    if (model.TryGetValue(p, out var m))
                    {
                        Assert.Equal(new PhysAddr((m.Mfn << 12) + 0x18), t.PhysAddr);
                        Assert.Equal(m.ReadOnly, t.Attributes.ReadOnly);
                    }
                    else
                    {
                        Assert.True(t.IsFault);
                    }
                }

                var audit = xen.Tables.Audit();
                Assert.True(audit.IsClean, string.Join("; ", audit.Problems));
                Assert.Equal(host.Frames.Used, audit.OwnedTables);
                Assert.Equal(audit.ReachableTables, audit.OwnedTables);
            }
        }, iter: 40);
    }

    [Fact]
    public void A_tree_created_on_reused_frames_walks_from_its_own_root()
    {
        // As W4: the bump allocator hands out the same frames again, so each new root's chunk is already backed and
        // the tree takes it from the root's zeroing; the old tree's entries must be gone from every walk.
        var memory = new PhysicalMemory([new RamBank(new PhysAddr(0x4000_0000), 4UL << 20)], 48);
        var frames = new BumpFrameAllocator(new PhysAddr(0x4000_0000).Mfn, 1024);
        var attributes = LeafAttributes.FromXenFlags(PageFlags.HypervisorRw);
        for (var round = 0UL; round < 3; round++)
        {
            frames.Reset();
            var tables = PageTables<Vmsa64Format>.Create(memory, frames);
            var va = Va + (round << 30);
            tables.MapRange(new VirtAddr(va), new PhysAddr(0x8000_0000 + (round << 30)), 1UL << 30, attributes, allowBlocks: true);
            var t = tables.Translate(new VirtAddr(va + 0x1234));
            Assert.Equal((FaultKind.None, 1, 0x8000_1234UL + (round << 30)), (t.Fault, t.Level, t.PhysAddr.Value));
            if (round > 0)
            {
                Assert.Equal(FaultKind.Translation, tables.Translate(new VirtAddr(va - (1UL << 30) + 0x1234)).Fault);
            }
        }
    }

    [Fact]
    public void Translate_gives_the_same_answer_wherever_the_tables_lie() => ScatteredTables.Check<Vmsa64Format>(SlotVa);

    // Level-2 slot i of 64: level-0 entry i / 16, level-1 entry (i / 4) % 4, level-2 entry i % 4.
    private static ulong SlotVa(int slot) => ((ulong)(slot / 16) << 39) | ((ulong)(slot / 4 % 4) << 30) | ((ulong)(slot % 4) << 21);

    // The 64 pages straddle a 2 MiB boundary, so two level-3 tables are involved.
    private static ulong PageVa(int page) => Va + (2UL << 20) - (32 * 4096) + ((ulong)page << 12);

    private static (FaultKind, int) Fault(Translation t) => (t.Fault, t.Level);
}

using CsCheck;
using XenMm.Arm64.PageTables;
using XenMm.Bench;
using XenMm.Memory;
using XenMm.PageTables;
using XenMm.Tests.Shared;

namespace XenMm.Arm64.Tests.PageTables;

/// <summary>
/// <see cref="PageTables{TFormat}.Reinitialize"/>: the same tree object starts again as a new one would, and a refusal
/// changes nothing (the tree, its allocator, the bytes).
/// </summary>
public class ReinitializeTests
{
    private const ulong Va = 0x0000_0A00_0000_0000;
    private static readonly LeafAttributes Normal = new(MairIndex.MT_NORMAL, Shareability.Inner);

    [Fact]
    public void A_restarted_tree_takes_the_next_frame_as_its_root_and_maps_nothing()
    {
        var host = new TestHost();
        var tables = PageTables<Vmsa64Format>.Create(host.Memory, host.Frames);
        tables.MapRange(new VirtAddr(Va), new PhysAddr(0x8000_0000), 3 * 4096, Normal, allowBlocks: false);
        var next = host.Frames.Available;

        tables.Reinitialize();

        Assert.Equal(next - 1, host.Frames.Available); // the old pages are the caller's: none comes back
        Assert.Equal([tables.Root.Mfn], tables.TablePages);
        Assert.Equal(new PhysAddr(TestHost.RamStart + (4 * 4096)), tables.Root); // after the old root and its three tables
        Assert.True(host.Memory.IsPageZero(tables.Root.Mfn));
        Assert.Equal((FaultKind.Translation, 0), (tables.Translate(new VirtAddr(Va)).Fault, tables.Translate(new VirtAddr(Va)).Level));
        tables.MapRange(new VirtAddr(Va), new PhysAddr(0x9000_0000), 4096, Normal, allowBlocks: false);
        Assert.Equal(0x9000_0000UL, tables.Translate(new VirtAddr(Va)).PhysAddr.Value);
        Assert.True(tables.Audit().IsClean);
    }

    [Fact]
    public void A_restart_after_a_bump_reset_builds_the_bytes_and_pages_of_a_new_tree()
    {
        // Maps with random VAs and sizes, each on a restarted tree (allocator reset first) and on a new one in a twin
        // memory: the table bytes, the pages and the translations agree.
        var maps = Gen.Select(Gen.Int[0, 511], Gen.Int[1, 1100], Gen.Bool).Array[1, 6];
        maps.Sample(steps =>
        {
            var restarted = new PtWorkloads.Setup();
            var fresh = new PtWorkloads.Setup();
            PageTables<Vmsa64Format>? tree = null;
            foreach (var (slot, pages, blocks) in steps)
            {
                var va = new VirtAddr(Va + ((ulong)slot << 21));
                var size = (ulong)pages * 4096;
                var first = tree;
                tree = Map(restarted, tree, va, size, blocks);
                var other = Map(fresh, null, va, size, blocks);
                Assert.True(first is null || ReferenceEquals(first, tree));
                Assert.Equal(fresh.TablesHash(), restarted.TablesHash());
                Assert.Equal(other.TablePages, tree.TablePages);
                Assert.Equal(other.Root, tree.Root);
                Assert.Equal(other.Translate(va + (size - 1)).PhysAddr, tree.Translate(va + (size - 1)).PhysAddr);
                Assert.True(tree.Audit().IsClean);
            }
        }, iter: 200);
    }

    [Fact]
    public void W4_on_a_restarted_tree_gives_the_native_tables_and_allocates_nothing()
    {
        var bench = new PtWorkloads.Setup(reuseTree: true);
        bench.MapOnce(allowBlocks: true);
        var tree = bench.Tables;
        bench.MapOnce(allowBlocks: false);
        bench.MapOnce(allowBlocks: true);

        Assert.Same(tree, bench.Tables);
        Assert.Equal(2UL, bench.Allocator.Used);
        Assert.Equal(0xc87cc685c53934a2UL, bench.TablesHash());
        Assert.Equal(0, Allocations.FewestBytes(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                bench.MapOnce(allowBlocks: true);
            }
        }));
    }

    [Fact]
    public void Out_of_frames_it_refuses_and_changes_nothing()
    {
        var host = new TestHost(frames: 4); // the root and three tables: none left
        var tables = PageTables<Vmsa64Format>.Create(host.Memory, host.Frames);
        tables.MapRange(new VirtAddr(Va), new PhysAddr(0x8000_0000), 4096, Normal, allowBlocks: false);
        AssertRefusedUnchanged(host, tables, MmError.OutOfMemory);
    }

    [Fact]
    public void A_tree_driven_by_XenMappings_is_refused_and_unchanged()
    {
        var host = new TestHost();
        var xen = XenMappings<Vmsa64Format>.Create(host.Memory, host.Frames);
        xen.Map(new VirtAddr(Va), new Mfn(0x80000), 1, PageFlags.HypervisorRw);
        AssertRefusedUnchanged(host, xen.Tables, MmError.InvalidState);
        Assert.Equal(0x8000_0000UL, xen.Tables.Translate(new VirtAddr(Va)).PhysAddr.Value);
    }

    [Fact]
    public void Read_only_tables_are_refused()
    {
        var host = new TestHost();
        var built = PageTables<Vmsa64Format>.Create(host.Memory, host.Frames);
        built.MapRange(new VirtAddr(Va), new PhysAddr(0x8000_0000), 4096, Normal, allowBlocks: false);
        var attached = PageTables<Vmsa64Format>.Attach(host.Memory, built.Root);
        var before = host.Snapshot();

        Assert.Equal(MmError.InvalidState, Assert.Throws<XenMmException>(attached.Reinitialize).Error);
        Assert.Equal(built.Root, attached.Root);
        Assert.Equal(0x8000_0000UL, attached.Translate(new VirtAddr(Va)).PhysAddr.Value);
        Assert.Equal(before, host.Snapshot());
    }

    // One native map (bump reset, then a tree: the given one started again, or a new one) of [va, va + size).
    private static PageTables<Vmsa64Format> Map(PtWorkloads.Setup bench, PageTables<Vmsa64Format>? tree, VirtAddr va, ulong size, bool blocks)
    {
        bench.Allocator.Reset();
        if (tree is null)
        {
            tree = PageTables<Vmsa64Format>.Create(bench.Memory, bench.Allocator);
        }
        else
        {
            tree.Reinitialize();
        }

        tree.MapRange(va, new PhysAddr(0x8000_0000), size, PtWorkloads.NativeAttributes, blocks);
        return tree;
    }

    private static void AssertRefusedUnchanged(TestHost host, PageTables<Vmsa64Format> tables, MmError expected)
    {
        var (root, pages, available, bytes) = (tables.Root, tables.TablePages, host.Frames.Available, host.Snapshot());

        Assert.Equal(expected, Assert.Throws<XenMmException>(tables.Reinitialize).Error);

        Assert.Equal(root, tables.Root);
        Assert.Equal(pages, tables.TablePages);
        Assert.Equal(available, host.Frames.Available);
        Assert.Equal(bytes, host.Snapshot());
        Assert.Equal(0x8000_0000UL, tables.Translate(new VirtAddr(Va)).PhysAddr.Value);
    }
}

using CsCheck;
using XenMm.Memory;
using XenMm.PageTables;

namespace XenMm.Tests.Shared;

/// <summary>
/// Translate against a model on trees whose tables lie anywhere: 8 MiB of RAM (four 2 MiB chunks), the tables taken
/// in a random order. A walk meets its tables in the root's chunk (the walk without calls) or in others (it hands
/// over to the walk that changes chunks); both must give the model's answer.
/// </summary>
internal static class ScatteredTables
{
    /// <summary>Maps random pages and 2 MiB blocks into 64 level-2 slots (<paramref name="slotVa"/> gives a slot's VA) and checks every translation.</summary>
    public static void Check<TFormat>(Func<int, ulong> slotVa)
        where TFormat : struct, IPageTableFormat
    {
        var maps = Gen.Select(Gen.Int[0, 63], Gen.Int[0, 511], Gen.Bool).Array[1, 60];
        Gen.Select(Gen.Int[0, 2047].Array[2048].Select(a => a.Distinct().ToArray()), maps).Sample((order, requests) =>
        {
            var memory = new PhysicalMemory([new RamBank(new PhysAddr(0x4000_0000), 8UL << 20)], 40);
            var tables = PageTables<TFormat>.Create(memory, new OrderedFrames(order.Select(i => new Mfn(0x40000 + (ulong)i))));
            var attributes = LeafAttributes.FromXenFlags(PageFlags.HypervisorRw);
            var empty = tables.Translate(new VirtAddr(slotVa(0)));
            Assert.Equal((FaultKind.Translation, TFormat.RootLevel), (empty.Fault, empty.Level));

            var model = new Dictionary<(int Slot, int Page), ulong>(); // (slot, page) -> PA; a block fills its slot
            var blocks = new HashSet<int>();
            foreach (var (slot, page, block) in requests)
            {
                var pa = 0x1_0000_0000 + ((ulong)slot << 21);
                if (blocks.Contains(slot) || (block && model.Keys.Any(k => k.Slot == slot)) || model.ContainsKey((slot, page)))
                {
                    continue;
                }

                if (block)
                {
                    tables.MapRange(new VirtAddr(slotVa(slot)), new PhysAddr(pa), 2UL << 20, attributes, allowBlocks: true);
                    blocks.Add(slot);
                    for (var p = 0; p < 512; p++)
                    {
                        model[(slot, p)] = pa + ((ulong)p << 12);
                    }
                }
                else
                {
                    var offset = (ulong)page << 12;
                    tables.MapRange(new VirtAddr(slotVa(slot) + offset), new PhysAddr(pa + offset), 4096, attributes, allowBlocks: false);
                    model[(slot, page)] = pa + offset;
                }
            }

            foreach (var (slot, page, _) in requests)
            {
                foreach (var p in new[] { page, (page + 1) & 511 })
                {
                    var t = tables.Translate(new VirtAddr(slotVa(slot) + ((ulong)p << 12) + 0x7F8));
                    if (model.TryGetValue((slot, p), out var pa))
                    {
                        Assert.Equal((FaultKind.None, blocks.Contains(slot) ? 2 : 3, pa + 0x7F8), (t.Fault, t.Level, t.PhysAddr.Value));
                    }
                    else
                    {
                        Assert.Equal(FaultKind.Translation, t.Fault);
                    }
                }
            }
        }, iter: 60);
    }

    // Frames handed out in a given order, so the tables of one tree lie wherever the test puts them.
    private sealed class OrderedFrames(IEnumerable<Mfn> order) : IFrameAllocator
    {
        private readonly Queue<Mfn> _free = new(order);

        public bool TryAllocate(out Mfn mfn) => _free.TryDequeue(out mfn);

        public void Free(Mfn mfn) => _free.Enqueue(mfn);
    }
}

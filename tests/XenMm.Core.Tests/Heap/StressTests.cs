using XenMm.Audit;
using XenMm.Heap;
using static XenMm.Core.Tests.Heap.HeapTestMachines;

namespace XenMm.Core.Tests.Heap;

/// <summary>Several threads, the heap's builder among them, allocate and free under the one heap lock; afterwards the audit and the page count balance.</summary>
public sealed class StressTests
{
    [Fact]
    public void Concurrent_alloc_and_free_balance_exactly()
    {
        const ulong pages = 1 << 16;
        var heap = Empty(0x80000, pages);
        heap.InitHeapPages(M(0x80000), pages);
        long held = 0;
        // The thread that built the heap (its lock is biased to it) works alongside four others.
        void Work(int t)
        {
            var rng = new Random(t + 1);
            var mine = new List<(Mfn, int)>();
            for (int i = 0; i < 40_000; i++)
            {
                if (mine.Count == 0 || rng.Next(2) == 0)
                {
                    int order = rng.Next(4);
                    if (heap.TryAlloc(1, 36, order, MemFlags.None, out var m))
                    {
                        mine.Add((m, order));
                        Interlocked.Add(ref held, 1L << order);
                    }
                }
                else
                {
                    int k = rng.Next(mine.Count);
                    var (m, order) = mine[k];
                    mine.RemoveAt(k);
                    heap.Free(m, order, needScrub: (i & 7) == 0);
                    Interlocked.Add(ref held, -(1L << order));
                }

                if (i % 10_000 == 0)
                {
                    Assert.Empty(new HeapAudit(heap).Run()); // the audit runs while others work
                }
            }

            foreach (var (m, order) in mine)
            {
                heap.Free(m, order);
                Interlocked.Add(ref held, -(1L << order));
            }
        }

        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() => Work(t))).ToList();
        threads.ForEach(t => t.Start());
        Work(4);
        threads.ForEach(t => t.Join());

        Assert.Equal(0, held);
        Assert.Equal(pages, heap.TotalAvailPages);
        Assert.Empty(new HeapAudit(heap).Run());
    }
}

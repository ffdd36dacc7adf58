using System.Diagnostics;
using XenMm.Memory;

namespace XenMm.Heap;

// BENCHMARKS.md W1 "churn", bit-exact with shared/bench/native/xenheap_bench.c w1: a seeded xorshift64*
// stream of order-weighted allocations over every zone and random frees of live blocks. Shared by the bench
// runner and the oracle tests so both run the same loop. The current profile is arm64 now (the native oracle:
// MAX_ORDER 18, 37 zones, chunked init); the 2013 profile is arm64 in Xen 4.4 (shared/tools/xen44-heap: MAX_ORDER
// 20, 29 zones, page-wise init, MFN 0 included).
internal static class ChurnWorkload
{
    internal sealed record Result(BuddyHeap Heap, ulong InitHash, ulong Allocs, ulong Frees, ulong Failures,
        ulong LiveBlocks, ulong LivePages, ulong AllocHash, TimeSpan Elapsed);

    // Sees every operation, as the runners' --trace lines: "A mfn order", "X order" (failed), "F mfn order".
    internal interface IObserver
    {
        void Allocated(ulong mfn, int order);

        void Failed(int order);

        void Freed(ulong mfn, int order);
    }

    // The observer of untraced runs: a struct with empty methods, so the specialised loop calls nothing.
    internal struct NoObserver : IObserver
    {
        public readonly void Allocated(ulong mfn, int order)
        {
        }

        public readonly void Failed(int order)
        {
        }

        public readonly void Freed(ulong mfn, int order)
        {
        }
    }

    public static Result Run(ulong seed, ulong baseMfn, ulong pages, ulong ops, bool timed, XenProfile profile = XenProfile.Current)
    {
        var none = default(NoObserver);
        return Run(seed, baseMfn, pages, ops, timed, profile, ref none);
    }

    public static Result Run<TObserver>(ulong seed, ulong baseMfn, ulong pages, ulong ops, bool timed, XenProfile profile,
        ref TObserver observer)
        where TObserver : struct, IObserver
    {
        var heap = new BuddyHeap([new RamBank(new Mfn(baseMfn).ToPhysAddr(), pages << Addressing.PageShift)],
            HeapConfig.For(64, profile));
        heap.InitHeapPages(new Mfn(baseMfn), pages, HeapInitMode.ProfileDefault);
        ulong initHash = heap.StateHash();

        var live = new Live[pages + 1];
        ulong liveBlocks = 0, livePages = 0, failures = 0, allocs = 0, frees = 0;
        ulong h = 0xcbf29ce484222325UL, state = seed;
        int zoneHi = heap.NrZones - 1;
        var sw = timed ? Stopwatch.StartNew() : null;
        for (ulong op = 0; op < ops; op++)
        {
            ulong x = state;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            state = x;
            ulong r = x * 0x2545F4914F6CDD1DUL;
            if (liveBlocks == 0 || (livePages < pages / 2 && (r & 1) == 0))
            {
                uint k = (uint)((r >> 8) % 100);
                int order = k < 70 ? 0 : k < 80 ? 1 : k < 88 ? 2 : k < 93 ? 3 : 4 + (int)((r >> 16) % 6);
                if (!heap.TryAlloc(0, zoneHi, order, MemFlags.None, out var mfn))
                {
                    failures++;
                    observer.Failed(order);
                    continue;
                }

                allocs++;
                h = BuddyHeap.Fnv(h, mfn.Value);
                live[liveBlocks] = new Live(mfn.Value, (uint)order);
                liveBlocks++;
                livePages += 1UL << order;
                observer.Allocated(mfn.Value, order);
            }
            else
            {
                ulong i = (r >> 8) % liveBlocks;
                var block = live[i];
                observer.Freed(block.Mfn, (int)block.Order);
                heap.Free(new Mfn(block.Mfn), (int)block.Order);
                livePages -= 1UL << (int)block.Order;
                live[i] = live[--liveBlocks];
                frees++;
            }
        }

        var elapsed = sw?.Elapsed ?? TimeSpan.Zero;
        return new Result(heap, initHash, allocs, frees, failures, liveBlocks, livePages, h, elapsed);
    }

    // One live block, laid out as the native runner's struct live (16 bytes) so both chase the same lines.
    private readonly record struct Live(ulong Mfn, uint Order);
}

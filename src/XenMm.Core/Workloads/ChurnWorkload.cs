using System.Diagnostics;
using System.Runtime.CompilerServices;
using XenMm.Heap;
using XenMm.Memory;

namespace XenMm.Workloads;

/// <summary>
/// BENCHMARKS.md W1 "churn", bit-exact with shared/bench/native/xenheap_bench.c w1: a seeded xorshift64* stream of
/// order-weighted allocations (70% order 0, 10% order 1, 8% order 2, 5% order 3, the rest orders 4-9) and random
/// frees of live blocks, keeping the live pages under half of <see cref="Pages"/>. Resumable: each
/// <see cref="Run{TTarget, TObserver}"/> continues where the last stopped, and <see cref="GetState"/> /
/// <see cref="FromState"/> carry it across a checkpoint.
/// </summary>
public sealed class ChurnWorkload
{
    private const ulong FnvOffset = 0xcbf29ce484222325UL;

    private LiveBlock[] _live;
    private ulong _liveBlocks;
    private ulong _livePages;
    private ulong _state;

    /// <summary>Starts a churn.</summary>
    /// <param name="seed">The xorshift64* seed (0 is allowed and stays 0, as in the native runner).</param>
    /// <param name="pages">The pages the churn works over: live pages stay under half of it.</param>
    /// <param name="liveCapacity">Live blocks to make room for up front (W1 uses pages + 1 so its loop never grows the array).</param>
    public ChurnWorkload(ulong seed, ulong pages, ulong liveCapacity = 64)
    {
        Seed = seed;
        Pages = pages;
        _state = seed;
        AllocHash = FnvOffset;
        _live = new LiveBlock[Math.Max(1, liveCapacity)];
    }

    /// <summary>The seed.</summary>
    public ulong Seed { get; }

    /// <summary>The pages the churn works over.</summary>
    public ulong Pages { get; }

    /// <summary>Operations run so far.</summary>
    public ulong Operations { get; private set; }

    /// <summary>Successful allocations.</summary>
    public ulong Allocs { get; private set; }

    /// <summary>Frees.</summary>
    public ulong Frees { get; private set; }

    /// <summary>Failed allocations.</summary>
    public ulong Failures { get; private set; }

    /// <summary>FNV-1a over every returned MFN (the runners' <c>w1_alloc_mfn_hash</c>).</summary>
    public ulong AllocHash { get; private set; }

    /// <summary>Live blocks.</summary>
    public ulong LiveBlocks => _liveBlocks;

    /// <summary>Live pages.</summary>
    public ulong LivePages => _livePages;

    /// <summary>The live blocks in the workload's own order (which a free picks from).</summary>
    public IEnumerable<(Mfn Mfn, int Order)> Live => _live.Take((int)_liveBlocks).Select(l => (new Mfn(l.Mfn), (int)l.Order));

    /// <summary>Runs <paramref name="ops"/> more operations on a machine's domheap (anonymous pages).</summary>
    public void Run(XenMachine machine, ulong ops)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var target = new DomheapChurnTarget(machine.Domheap);
        var none = default(NoChurnObserver);
        Run(ref target, ops, ref none);
    }

    /// <summary>Runs <paramref name="ops"/> more operations on <paramref name="target"/>, telling <paramref name="observer"/> each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per call: optimised from the start, not through on-stack replacement
    public void Run<TTarget, TObserver>(ref TTarget target, ulong ops, ref TObserver observer)
        where TTarget : struct, IChurnTarget
        where TObserver : struct, IChurnObserver
    {
        var live = _live;
        ulong liveBlocks = _liveBlocks, livePages = _livePages, failures = 0, allocs = 0, frees = 0;
        ulong h = AllocHash, state = _state, half = Pages / 2;
        for (ulong op = 0; op < ops; op++)
        {
            ulong x = state;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            state = x;
            ulong r = x * 0x2545F4914F6CDD1DUL;
            if (liveBlocks == 0 || (livePages < half && (r & 1) == 0))
            {
                uint k = (uint)((r >> 8) % 100);
                int order = k < 70 ? 0 : k < 80 ? 1 : k < 88 ? 2 : k < 93 ? 3 : 4 + (int)((r >> 16) % 6);
                if (!target.TryAlloc(order, out var mfn))
                {
                    failures++;
                    observer.Failed(order);
                    continue;
                }

                allocs++;
                h = BuddyHeap.Fnv(h, mfn.Value);
                if (liveBlocks == (ulong)live.Length)
                {
                    Array.Resize(ref live, live.Length * 2);
                }

                live[liveBlocks] = new LiveBlock(mfn.Value, (uint)order);
                liveBlocks++;
                livePages += 1UL << order;
                observer.Allocated(mfn.Value, order);
            }
            else
            {
                ulong i = (r >> 8) % liveBlocks;
                var block = live[i];
                observer.Freed(block.Mfn, (int)block.Order);
                target.Free(new Mfn(block.Mfn), (int)block.Order);
                livePages -= 1UL << (int)block.Order;
                live[i] = live[--liveBlocks];
                frees++;
            }
        }

        _live = live;
        _liveBlocks = liveBlocks;
        _livePages = livePages;
        _state = state;
        AllocHash = h;
        Allocs += allocs;
        Frees += frees;
        Failures += failures;
        Operations += ops;
    }

    /// <summary>Everything needed to continue exactly: seed, pages, generator state, counters and the live blocks in order.</summary>
    public ChurnWorkloadState GetState() => new(Seed, Pages, _state, Operations, Allocs, Frees, Failures, AllocHash,
        [.. _live.Take((int)_liveBlocks).Select(l => (l.Mfn, (int)l.Order))]);

    /// <summary>A churn that continues from <paramref name="state"/>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for a live block with an order outside 0..20.</exception>
    public static ChurnWorkload FromState(ChurnWorkloadState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var w = new ChurnWorkload(state.Seed, state.Pages, (ulong)Math.Max(64, state.Live.Count))
        {
            Operations = state.Operations,
            Allocs = state.Allocs,
            Frees = state.Frees,
            Failures = state.Failures,
            AllocHash = state.AllocHash,
        };
        w._state = state.Generator;
        foreach (var (mfn, order) in state.Live)
        {
            if ((uint)order > 20)
            {
                throw new XenMmException(MmError.InvalidArgument, $"Churn state: live block {new Mfn(mfn)} has order {order}.");
            }

            w._live[w._liveBlocks++] = new LiveBlock(mfn, (uint)order);
            w._livePages += 1UL << order;
        }

        return w;
    }

    internal sealed record Result(BuddyHeap Heap, ulong InitHash, ulong Allocs, ulong Frees, ulong Failures,
        ulong LiveBlocks, ulong LivePages, ulong AllocHash, TimeSpan Elapsed);

    /// <summary>W1 as the runners define it: a fresh heap of <paramref name="pages"/> from <paramref name="baseMfn"/> (arm64 config of the profile), then the churn.</summary>
    internal static Result RunOnNewHeap(ulong seed, ulong baseMfn, ulong pages, ulong ops, bool timed, XenProfile profile = XenProfile.Current)
    {
        var none = default(NoChurnObserver);
        return RunOnNewHeap(seed, baseMfn, pages, ops, timed, profile, ref none);
    }

    internal static Result RunOnNewHeap<TObserver>(ulong seed, ulong baseMfn, ulong pages, ulong ops, bool timed, XenProfile profile, ref TObserver observer)
        where TObserver : struct, IChurnObserver
    {
        var heap = new BuddyHeap([new RamBank(new Mfn(baseMfn).ToPhysAddr(), pages << Addressing.PageShift)], HeapConfig.For(64, profile));
        heap.InitHeapPages(new Mfn(baseMfn), pages, HeapInitMode.ProfileDefault);
        ulong initHash = heap.StateHash();
        var churn = new ChurnWorkload(seed, pages, pages + 1);
        var target = new HeapChurnTarget(heap);
        var sw = timed ? Stopwatch.StartNew() : null;
        churn.Run(ref target, ops, ref observer);
        var elapsed = sw?.Elapsed ?? TimeSpan.Zero;
        return new Result(heap, initHash, churn.Allocs, churn.Frees, churn.Failures, churn.LiveBlocks, churn.LivePages, churn.AllocHash, elapsed);
    }

    // One live block, laid out as the native runner's struct live (16 bytes) so both chase the same lines.
    private readonly record struct LiveBlock(ulong Mfn, uint Order);
}

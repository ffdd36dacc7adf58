using XenMm.Workloads;
using XenMm.Heap;

namespace XenMm.Core.Tests.Heap;

/// <summary>
/// W1 churn against the native oracle (shared/bench/native/xenheap_bench.c). Every expected value below was
/// produced by the native runner with the command in the comment of its row, e.g.
/// <c>./xenheap_bench w1 seed=7 base=0 pages=65536 ops=500000 --check</c>.
/// </summary>
public sealed class W1OracleTests
{
    public static TheoryData<ulong, ulong, ulong, ulong, W1Expected> Cases => new()
    {
        // ./xenheap_bench w1 seed=42 ops=1000000 --check   (default base 0x80000, 2^20 pages)
        { 42, 0x80000, 1UL << 20, 1_000_000, new(0x6e82d918c8c1dea1, 500765, 499235, 0, 1530, 19741, 1028835,
            "21 5 7 5 2 1 1 4 2 1 3 2 1 0 0 1 1 1 3", 0x84cd28ff599225f0, 0x77ae8998fce10154) },
        // ./xenheap_bench w1 seed=7 base=0 pages=65536 ops=500000 --check   (base 0: MFN 0 kept out)
        { 7, 0, 65536, 500_000, new(0xa391d09baae88627, 250012, 249988, 0, 24, 353, 65182,
            "2 6 4 4 4 3 5 1 2 3 1 2 2 2 2 0 0 0 0", 0x64d836916bfc1cea, 0x3643683d39a0df24) },
        // ./xenheap_bench w1 seed=12345 base=0x80001 pages=300000 ops=1000000 --check   (odd base and size)
        { 12345, 0x80001, 300000, 1_000_000, new(0x414d9c39ff10092d, 500491, 499509, 0, 982, 12167, 287833,
            "1 30 1 3 0 2 3 2 2 0 2 1 1 0 1 2 1 1 0", 0x865d25ddd6a472db, 0xfa9b61ad50917b64) },
        // ./xenheap_bench w1 seed=99 base=0x3ff00 pages=1000 ops=200000 --check   (tiny heap across the zone 18/19 edge, 198 failures)
        { 99, 0x3ff00, 1000, 200_000, new(0x1305ff2afff49286, 99906, 99896, 198, 10, 16, 984,
            "2 1 1 2 2 1 0 1 1 1 0 0 0 0 0 0 0 0 0", 0x0c0a832a74e7ef76, 0x95ab0a4a1ca0ab5b) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void W1_matches_the_native_oracle(ulong seed, ulong baseMfn, ulong pages, ulong ops, W1Expected expected)
    {
        var r = ChurnWorkload.RunOnNewHeap(seed, baseMfn, pages, ops, timed: false);

        AssertRunMatches(expected, r);
        Assert.Empty(new XenMm.Audit.HeapAudit(r.Heap).Run());
    }

    /// <summary>Every value a W1 runner prints, compared with what a run of XenMm gave.</summary>
    internal static void AssertRunMatches(W1Expected expected, ChurnWorkload.Result r)
    {
        Assert.Equal(expected.InitHash, r.InitHash);
        Assert.Equal(expected.Allocs, r.Allocs);
        Assert.Equal(expected.Frees, r.Frees);
        Assert.Equal(expected.Failures, r.Failures);
        Assert.Equal(expected.LiveBlocks, r.LiveBlocks);
        Assert.Equal(expected.LivePages, r.LivePages);
        Assert.Equal(expected.FreePages, r.Heap.TotalAvailPages);
        Assert.Equal(expected.Histogram, string.Join(' ', r.Heap.FreeChunkHistogram()));
        Assert.Equal(expected.AllocHash, r.AllocHash);
        Assert.Equal(expected.FinalHash, r.Heap.StateHash());
    }

    [Fact]
    public void First_two_operations_match_the_native_short_run_checkpoints()
    {
        // README: ops=1 → alloc_mfn_hash 0x305a3ce1e04da0d4 (MFN 0x17FFFF); ops=2 → 0x41e4525ffec95b64 (then 0x17FFFE).
        Assert.Equal(0x305a3ce1e04da0d4UL, ChurnWorkload.RunOnNewHeap(42, 0x80000, 1UL << 20, 1, false).AllocHash);
        Assert.Equal(0x41e4525ffec95b64UL, ChurnWorkload.RunOnNewHeap(42, 0x80000, 1UL << 20, 2, false).AllocHash);
    }

    public sealed record W1Expected(ulong InitHash, ulong Allocs, ulong Frees, ulong Failures, ulong LiveBlocks,
        ulong LivePages, ulong FreePages, string Histogram, ulong AllocHash, ulong FinalHash);
}

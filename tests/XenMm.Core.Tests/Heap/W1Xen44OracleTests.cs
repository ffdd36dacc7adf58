using XenMm.Workloads;
using System.Security.Cryptography;
using System.Text;
using XenMm.Audit;
using XenMm.Heap;

namespace XenMm.Core.Tests.Heap;

/// <summary>
/// W1 churn in the 2013 profile against Xen 4.4's own allocator (xen/common/page_alloc.c at RELEASE-4.4.0, arm64:
/// MAX_ORDER 20, 29 zones, page-wise init_heap_pages, MFN 0 included), built as a userspace runner by
/// shared/tools/xen44-heap (<c>XEN_GIT=... OUT=/tmp/xen44 build.sh</c>). Every expected value below is that
/// runner's output for the command in the comment of its row: the w1_* lines, <c>avail[zone]</c> from
/// <c>ops=N+1 dump-at=N</c> ("before-op avail[z]" lines: the state after N operations), and the SHA-256 of the
/// trace, <c>xen44_w1 ... --trace | grep -E '^[AXF] ' | sha256sum</c> (every operation's result, in order).
/// </summary>
public sealed class W1Xen44OracleTests
{
    public static TheoryData<ulong, ulong, ulong, ulong, W1Xen44Expected> Cases => new()
    {
        // xen44_w1 seed=3 base=0x0 pages=64 ops=100000   (64 pages from MFN 0: one order-6 chunk on zone 6's list; 7113 failures)
        { 3, 0, 64, 100_000, new(0xa8c1323228147da5, 46445, 46442, 7113, 3, 3, 61,
            "1 0 1 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", 0x5ffbcfd309c90ab4, 0x7906e90131218e7a,
            "10 2 4 8 24 13", "d720268c322154dc7bfa101643e3034db277e1c812a947f05dbf9136c4273290") },
        // xen44_w1 seed=8 base=0x0 pages=300000 ops=2000000   (free pages 270077; current-Xen rules would give 270076)
        { 8, 0, 300_000, 2_000_000, new(0x76dd36efe8579451, 1001028, 998972, 0, 2056, 29923, 270077,
            "13 22 21 10 12 7 2 10 3 4 3 0 0 0 0 0 0 0 1 0 0", 0xc47701a78ad4fc6d, 0xccc5fe34a61268e6,
            "2 2 4 8 16 32 64 128 256 512 1024 2048 4096 8192 16384 32768 65536 131072 7933",
            "53a4dc32e19acbdde592762cb79de9277e11f9ba52c730f828994c2d97293a55") },
        // xen44_w1 seed=7 base=0x0 pages=65536 ops=500000   (the native oracle's base-0 case, in 4.4)
        { 7, 0, 65536, 500_000, new(0xa891883227ebec05, 250012, 249988, 0, 24, 353, 65183,
            "1 1 3 2 4 2 4 0 1 2 0 1 1 1 1 1 0 0 0 0 0", 0xb1462076cd659457, 0x2a68fda4f6e081d2,
            "2 2 4 8 16 32 64 128 256 512 1024 2048 4096 8192 16384 32415",
            "6d306156025511a62421bb626bdbf0e41da8790a02f37558090ba5d771714f04") },
        // xen44_w1 seed=12345 base=0x80001 pages=300000 ops=1000000   (no MFN 0: avail[] equals the lists)
        { 12345, 0x80001, 300_000, 1_000_000, new(0x5896f30203cbc199, 500491, 499509, 0, 982, 12167, 287833,
            "5 26 2 7 0 3 4 3 3 1 1 3 0 0 1 2 1 1 0 0 0", 0x1133c48d7da111e6, 0xbf5f7a493102d23b, null, null) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void W1_in_the_2013_profile_matches_Xen_4_4(ulong seed, ulong baseMfn, ulong pages, ulong ops, W1Xen44Expected expected)
    {
        var trace = new Trace(new StringBuilder());
        var r = ChurnWorkload.RunOnNewHeap(seed, baseMfn, pages, ops, false, XenProfile.Xen2013, ref trace);

        W1OracleTests.AssertRunMatches(
            new(expected.InitHash, expected.Allocs, expected.Frees, expected.Failures, expected.LiveBlocks, expected.LivePages,
                expected.FreePages, expected.Histogram, expected.AllocHash, expected.FinalHash),
            r);
        if (expected.ZoneAvail is { } zoneAvail)
        {
            Assert.Equal(zoneAvail, ZoneAvail(r.Heap));
        }

        if (expected.TraceSha256 is { } sha)
        {
            Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(trace.Text.ToString()))));
        }

        // Chunks on a foreign zone's list and the drifted per-zone counts are Xen 4.4's own, not corruption.
        Assert.Empty(new HeapAudit(r.Heap).Run());
    }

    /// <summary><c>avail[0][1..]</c> up to the highest non-empty zone, space separated.</summary>
    internal static string ZoneAvail(BuddyHeap heap)
    {
        var a = Enumerable.Range(1, heap.NrZones - 1).Select(z => heap.Avail(0, z)).ToList();
        while (a.Count != 0 && a[^1] == 0)
        {
            a.RemoveAt(a.Count - 1);
        }

        return string.Join(' ', a);
    }

    /// <summary>The runner's --trace lines: "A 0xmfn order", "X order", "F 0xmfn order", one per operation.</summary>
    internal readonly struct Trace(StringBuilder text) : IChurnObserver
    {
        public StringBuilder Text { get; } = text;

        public void Allocated(ulong mfn, int order) => Text.Append($"A 0x{mfn:x} {order}\n");

        public void Failed(int order) => Text.Append($"X {order}\n");

        public void Freed(ulong mfn, int order) => Text.Append($"F 0x{mfn:x} {order}\n");
    }

    public sealed record W1Xen44Expected(ulong InitHash, ulong Allocs, ulong Frees, ulong Failures, ulong LiveBlocks,
        ulong LivePages, ulong FreePages, string Histogram, ulong AllocHash, ulong FinalHash, string? ZoneAvail,
        string? TraceSha256);
}

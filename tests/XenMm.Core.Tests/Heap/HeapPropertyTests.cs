using CsCheck;
using XenMm.Audit;
using XenMm.Domains;
using XenMm.Heap;
using static XenMm.Core.Tests.Heap.HeapTestMachines;

namespace XenMm.Core.Tests.Heap;

/// <summary>Random operation sequences (CsCheck shrinks a failure to a minimal sequence); the audit must stay clean.</summary>
public sealed class HeapPropertyTests
{
    // Each int encodes one operation: kind = v % 8, order = (v / 8) % 6, pick = v / 48.
    private static readonly Gen<int[]> Ops = Gen.Int[0, 48 * 64].Array[1, 120];

    [Fact]
    public void Audit_stays_clean_after_random_operations() =>
        Ops.Sample(ops => Replay(ops, XenProfile.Current), iter: 300);

    [Fact]
    public void Audit_stays_clean_after_random_operations_2013_profile() =>
        Ops.Sample(ops => Replay(ops, XenProfile.Xen2013), iter: 100);

    [Fact]
    public void Audit_stays_clean_after_random_operations_2013_profile_from_MFN_0() =>
        Ops.Sample(ops => Replay(ops, XenProfile.Xen2013, baseMfn: 0), iter: 100);

    [Fact]
    public void Refused_frees_never_change_the_state() =>
        Gen.Select(Ops, Gen.Int[0, 300], Gen.Int[-1, 20]).Sample((ops, offset, order) =>
        {
            var (heap, _, _) = Build(ops, XenProfile.Current);
            var mfn = M(0x3FF00 + (ulong)offset);
            ulong before = heap.FullStateHash();
            try
            {
                heap.Free(mfn, order);
            }
            catch (XenMmException)
            {
                Assert.Equal(before, heap.FullStateHash());
            }

            var violations = new HeapAudit(heap).Run();
            Assert.True(violations.Count == 0, $"free {mfn} order {order}: " + string.Join('\n', violations));
        }, iter: 200);

    private static void Replay(int[] ops, XenProfile profile, ulong baseMfn = 0x3FF00)
    {
        var (heap, domains, _) = Build(ops, profile, baseMfn);
        var violations = new HeapAudit(heap, domains).Run();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    // A heap over [0x3FF00, 0x40100) (crossing the zone 18/19 edge) with two xenheap-free domains; or over
    // [0, 0x200), all of it given to the heap (MFN 0 merges across zones 1..10 in the 2013 profile).
    internal static (BuddyHeap Heap, Domain[] Domains, List<(Mfn Mfn, int Order, Domain? Owner)> Live) Build(int[] ops, XenProfile profile,
        ulong baseMfn = 0x3FF00)
    {
        var heap = Empty(baseMfn, 0x200, HeapConfig.For(64, profile));
        if (baseMfn == 0)
        {
            heap.InitHeapPages(M(0), 0x200);
        }
        else
        {
            heap.InitHeapPages(M(baseMfn + 1), 0x1FE);
        }
        var domheap = new Domheap(heap);
        Domain[] domains = [new Domain(1, 64), new Domain(2, 1000)];
        var live = new List<(Mfn Mfn, int Order, Domain? Owner)>();
        foreach (int v in ops)
        {
            int kind = v % 8, order = v / 8 % 6, pick = v / 48;
            switch (kind)
            {
                case 0 or 1 or 2:
                    var flags = kind == 2 ? MemFlags.NoScrub : MemFlags.None;
                    if (heap.TryAlloc(1, heap.NrZones - 1, order, flags, out var m))
                    {
                        live.Add((m, order, null));
                    }

                    break;
                case 3 or 4 when live.Count > 0:
                    var (fm, fo, owner) = live[pick % live.Count];
                    live.RemoveAt(pick % live.Count);
                    if (owner is null)
                    {
                        heap.Free(fm, fo, needScrub: kind == 4);
                    }
                    else
                    {
                        domheap.FreePages(fm, fo);
                    }

                    break;
                case 5:
                    var d = domains[pick % 2];
                    if (domheap.TryAllocPages(d, order % 3, MemFlags.None, out var dm))
                    {
                        live.Add((dm, order % 3, d));
                    }

                    break;
                case 6:
                    heap.ScrubFreePages(pick + 1);
                    break;
                case 7:
                    var cd = domains[pick % 2];
                    try
                    {
                        domheap.SetOutstandingPages(cd, pick % 3 == 0 ? 0 : cd.TotPages + (ulong)pick);
                    }
                    catch (XenMmException e) when (e.Error == MmError.ClaimRejected)
                    {
                    }

                    break;
            }
        }

        return (heap, domains, live);
    }
}

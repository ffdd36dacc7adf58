namespace XenMm.Workloads;

/// <summary>What a <see cref="ChurnWorkload"/> allocates from: a bare buddy heap (BENCHMARKS.md W1) or a machine's domheap.</summary>
public interface IChurnTarget
{
    /// <summary>Allocates 2^<paramref name="order"/> pages; false when nothing fits.</summary>
    bool TryAlloc(int order, out Mfn mfn);

    /// <summary>Frees a block this target allocated.</summary>
    void Free(Mfn mfn, int order);
}

namespace XenMm.Workloads;

/// <summary>Sees every operation of a <see cref="ChurnWorkload"/>, as the native runners' <c>--trace</c> lines: "A mfn order", "X order" (failed), "F mfn order".</summary>
public interface IChurnObserver
{
    /// <summary>An allocation of 2^<paramref name="order"/> pages returned <paramref name="mfn"/>.</summary>
    void Allocated(ulong mfn, int order);

    /// <summary>An allocation of 2^<paramref name="order"/> pages failed.</summary>
    void Failed(int order);

    /// <summary>The live block at <paramref name="mfn"/> of <paramref name="order"/> is about to be freed.</summary>
    void Freed(ulong mfn, int order);
}

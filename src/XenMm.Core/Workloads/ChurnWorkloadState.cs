namespace XenMm.Workloads;

/// <summary>A <see cref="ChurnWorkload"/>'s state, to continue it exactly elsewhere (a checkpoint).</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Pages">The pages the churn works over.</param>
/// <param name="Generator">The xorshift64* state.</param>
/// <param name="Operations">Operations run.</param>
/// <param name="Allocs">Successful allocations.</param>
/// <param name="Frees">Frees.</param>
/// <param name="Failures">Failed allocations.</param>
/// <param name="AllocHash">FNV-1a over the returned MFNs.</param>
/// <param name="Live">The live blocks (MFN, order) in the workload's order.</param>
public sealed record ChurnWorkloadState(ulong Seed, ulong Pages, ulong Generator, ulong Operations, ulong Allocs, ulong Frees,
    ulong Failures, ulong AllocHash, IReadOnlyList<(ulong Mfn, int Order)> Live);

namespace XenMm.Workloads;

/// <summary>A <see cref="DomainsWorkload"/>'s state, to continue it exactly elsewhere (a checkpoint).</summary>
/// <param name="Seed">The seed.</param>
/// <param name="DomainCount">The number of domains.</param>
/// <param name="MaxPages">Each domain's max_pages.</param>
/// <param name="Generator">The xorshift64* state.</param>
/// <param name="Operations">Operations run.</param>
/// <param name="Failures">Allocations that returned nothing.</param>
/// <param name="Refusals">Requests refused with an errno.</param>
/// <param name="ResultHash">FNV-1a over every result.</param>
/// <param name="Owned">Owned blocks (domain id, MFN, order) in the workload's order.</param>
/// <param name="Xenheap">Live xenheap allocations (VA, order) in the workload's order.</param>
public sealed record DomainsWorkloadState(ulong Seed, int DomainCount, ulong MaxPages, ulong Generator, ulong Operations, ulong Failures,
    ulong Refusals, ulong ResultHash, IReadOnlyList<(int Domain, ulong Mfn, int Order)> Owned, IReadOnlyList<(ulong Va, int Order)> Xenheap);

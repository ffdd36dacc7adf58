using XenMm.PageTables;

namespace XenMm.Machine;

/// <summary>One physical CPU's view of Xen's page tables.</summary>
/// <param name="Id">The CPU number (0 is the boot CPU).</param>
/// <param name="Root">The root table's physical address (what TTBR0_EL2 / HTTBR holds on that CPU).</param>
/// <param name="Mappings">Xen's mapping calls on that CPU's tables (shared between CPUs where the architecture shares them).</param>
public sealed record MachineCpu(int Id, PhysAddr Root, IXenMappings Mappings);

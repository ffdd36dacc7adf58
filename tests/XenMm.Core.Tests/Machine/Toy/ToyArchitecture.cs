using XenMm.Heap;
using XenMm.Layout;
using XenMm.Machine;
using XenMm.PageTables;

namespace XenMm.Tests.Machine.Toy;

/// <summary>
/// A test-only architecture that boots through the same pipeline as arm32 and arm64: 39-bit VA, a unified heap and
/// a direct map of all RAM at 256 GiB (VA = DIRECTMAP_VIRT_START + PA), shared tables for every CPU. It exists to
/// prove that a third architecture is one more assembly.
/// </summary>
internal sealed class ToyArchitecture : XenArchitecture<ToyFormat>
{
    public const ulong XenVirtStart = 0x0020_0000;
    public const ulong FrametableVirtStart = 0x4000_0000;
    public const ulong FrametableSize = 1UL << 30;
    public const ulong VmapVirtStart = 0x8000_0000;
    public const ulong DirectmapVirtStart = 0x40_0000_0000;
    public const ulong DirectmapSize = 0x40_0000_0000;

    private static readonly AddressSpaceLayout TheLayout = new("toy39", 39,
    [
        new LayoutRegion("XEN_VIRT_START", new VirtAddr(XenVirtStart), 8UL << 20, "Xen image"),
        new LayoutRegion("FRAMETABLE_VIRT_START", new VirtAddr(FrametableVirtStart), FrametableSize, "frame table"),
        new LayoutRegion("VMAP_VIRT_START", new VirtAddr(VmapVirtStart), 1UL << 30, "vmap"),
        new LayoutRegion("DIRECTMAP_VIRT_START", new VirtAddr(DirectmapVirtStart), DirectmapSize, "direct map"),
    ]);

    public override string Name => "toy";

    public override int BitsPerLong => 64;

    public override int PageInfoSize => 32;

    public override IAddressSpaceLayout GetLayout(XenProfile profile) => TheLayout;

    public override HeapConfig GetHeapConfig(XenProfile profile) => HeapConfig.For(64, profile);

    public override MachineOptions DefaultBoard() => new()
    {
        Ram = [new MemoryRegion(new PhysAddr(0x4000_0000), 1UL << 30)],
        Cpus = 2,
    };

    public override BootModule DefaultXenImage(MachineOptions options) =>
        new(BootModuleKind.Xen, new PhysAddr(options.Ram.Min(r => r.Start.Value) + 0x20_0000), 0x10_0000);

    protected override void SetupPageTables(BootContext context)
    {
        var root = context.TakeImagePage("toy root table");
        var tables = PageTables<ToyFormat>.Create(context.Memory, context.TableFrames, root, LeafAttributes.XenTable(context.Profile));
        context.AddCpu(root.ToPhysAddr(), new XenMappings<ToyFormat>(tables, context.Profile));
    }

    protected override void SetupMm(BootContext context)
    {
        context.PopulateBootAllocator();
        var mappings = context.Cpus[0].Mappings;
        foreach (var bank in context.Memory.Banks)
        {
            if (bank.End > DirectmapSize)
            {
                throw context.Panic("Direct map is too small");
            }

            mappings.Map(new VirtAddr(DirectmapVirtStart + bank.Start.Value), bank.StartMfn, bank.Pages, PageFlags.HypervisorRw | PageFlags.Block);
        }

        context.Note($"toy: direct map of {context.Memory.TotalPages} pages at {new VirtAddr(DirectmapVirtStart)}");
        context.InitFrametable(mappings);
        var model = new ToyHeapModel(context.Domheap, context.Memory);
        context.SetHeapModel(model);
        context.SetDomainPageMapper(new ToyDomainPages(model, context.Options.Cpus));
    }

    protected override void InitSecondaryCpu(BootContext context, int cpu) =>
        context.AddCpu(context.Cpus[0].Root, context.Cpus[0].Mappings);
}

using XenMm.Arm32.Machine;
using XenMm.Heap;
using XenMm.Layout;
using XenMm.Machine;

namespace XenMm.Arm32.Tests.Machine;

/// <summary>arm32 under another name: a host of another architecture, as a checkpoint sees it.</summary>
internal sealed class RenamedArm32(string name) : IArchitecture
{
    private readonly Arm32Architecture _inner = new();

    public string Name => name;

    public string PageTableFormat => _inner.PageTableFormat;

    public int BitsPerLong => _inner.BitsPerLong;

    public int PaddrBits => _inner.PaddrBits;

    public int PageInfoSize => _inner.PageInfoSize;

    public IAddressSpaceLayout GetLayout(XenProfile profile) => _inner.GetLayout(profile);

    public HeapConfig GetHeapConfig(XenProfile profile) => _inner.GetHeapConfig(profile);

    public MachineOptions DefaultBoard() => _inner.DefaultBoard();

    public BootModule DefaultXenImage(MachineOptions options) => _inner.DefaultXenImage(options);

    public void Boot(BootContext context) => _inner.Boot(context);
}

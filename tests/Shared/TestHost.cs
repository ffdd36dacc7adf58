using XenMm.Memory;

namespace XenMm.Tests.Shared;

/// <summary>A small host for page-table tests: 4 MiB of RAM at PA 0x4000_0000, every frame handed out by a list allocator.</summary>
internal sealed class TestHost
{
    public const ulong RamStart = 0x4000_0000;
    public const ulong RamSize = 4UL << 20;

    public TestHost(ulong frames = RamSize / Addressing.PageSize)
    {
        Memory = new PhysicalMemory([new RamBank(new PhysAddr(RamStart), RamSize)], 48);
        Frames = new ListFrameAllocator(new PhysAddr(RamStart).Mfn, frames);
    }

    public PhysicalMemory Memory { get; }

    public ListFrameAllocator Frames { get; }

    /// <summary>Every byte of RAM: table bytes compare equal before and after a refused update.</summary>
    public byte[] Snapshot()
    {
        using var stream = new MemoryStream();
        Memory.ExportImage(new PhysAddr(RamStart), RamSize, stream);
        return stream.ToArray();
    }
}

using System.Runtime.CompilerServices;

namespace XenMm.Memory;

/// <summary>
/// The bytes of one 2 MiB chunk of simulated RAM: a pinned array, and the page-aligned address inside it where the
/// chunk's first byte lives.
/// </summary>
/// <remarks>
/// A simulated page starts on a host page, as the native workloads' memory does (<c>aligned_alloc(4096, ...)</c>).
/// An array's data starts 16 bytes after its header, so without the alignment every simulated page straddled
/// two host pages and every 64-byte store of a page clear (Xen's <c>clear_page</c>, on every new table page) was
/// split across two cache lines: clearing a page took about twice as long. The array is pinned so the aligned
/// address stays valid; chunks never go away while their memory lives, so readers may keep <see cref="Base"/>
/// for as long as they keep the memory alive.
/// </remarks>
internal sealed unsafe class RamChunk
{
    private const int Size = 1 << PhysicalMemory.ChunkShift;

    private RamChunk(byte[] owner, int offset, bool fullRam)
    {
        Owner = owner;
        Offset = offset;
        Base = (byte*)Unsafe.AsPointer(ref owner[offset]);
        IsFullRam = fullRam;
    }

    /// <summary>The chunk's first byte, on a host page boundary.</summary>
    public byte* Base { get; }

    /// <summary>True when all 2 MiB are RAM; false for a chunk that straddles a bank edge (only its RAM part is used).</summary>
    public bool IsFullRam { get; }

    /// <summary>The pinned array that owns the bytes.</summary>
    public byte[] Owner { get; }

    /// <summary>Where the chunk starts in <see cref="Owner"/>.</summary>
    public int Offset { get; }

    /// <summary>The chunk's 2 MiB.</summary>
    public Span<byte> Bytes => Owner.AsSpan(Offset, Size);

    /// <summary>A zeroed chunk.</summary>
    public static RamChunk Allocate(bool fullRam)
    {
        // One page of slack: the aligned start lies within the first page of the array's data.
        var owner = GC.AllocateArray<byte>(Size + (int)Addressing.PageSize, pinned: true);
        var data = (nuint)Unsafe.AsPointer(ref owner[0]);
        var offset = (int)((Addressing.PageSize - (data & Addressing.PageMask)) & Addressing.PageMask);
        return new RamChunk(owner, offset, fullRam);
    }
}

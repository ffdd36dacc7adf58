using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XenMm.Memory;

/// <summary>
/// The simulated host's physical memory: RAM banks backed sparsely by 2 MiB chunks that are allocated on
/// first write (never-written RAM reads as zero; every simulated page starts on a host page), and MMIO ranges
/// that hold no bytes. Every page table, the vmap bitmap and every page's contents live here as real little-endian
/// bytes, so an exported image can be walked by a real MMU emulator.
/// </summary>
/// <remarks>
/// Loads and stores are thread-safe with respect to chunk allocation; concurrent writes to the same bytes
/// race as they would on hardware. Typed accesses must be naturally aligned (Xen never issues unaligned
/// descriptor or bitmap accesses).
/// </remarks>
public sealed unsafe partial class PhysicalMemory
{
    /// <summary>Size of one backing chunk: 2 MiB.</summary>
    public const int ChunkShift = 21;

    private const int ChunkSize = 1 << ChunkShift;
    private const int LeafShift = 12; // chunks per leaf array: 4096 (8 GiB of PA)
    private const int LeafSize = 1 << LeafShift;

    // Two-level radix over chunk numbers. A chunk straddling a bank edge is marked, so the hot path can tell
    // "fully RAM" from the chunk alone.
    private readonly RamChunk?[]?[] _radix;
    private readonly RamBank[] _banks;
    private readonly MmioRange[] _mmio;
    private long _chunkCount;

    /// <summary>Creates the memory of a host with the given RAM banks, MMIO ranges and physical-address width.</summary>
    /// <exception cref="XenMmException">Banks or ranges overlap, or lie outside 2^<paramref name="paBits"/>.</exception>
    public PhysicalMemory(IEnumerable<RamBank> banks, int paBits, IEnumerable<MmioRange>? mmio = null)
    {
        ArgumentNullException.ThrowIfNull(banks);
        if (paBits is < 32 or > 52)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Physical address width {paBits} is outside 32..52 bits.");
        }

        PaBits = paBits;
        _banks = [.. banks.OrderBy(b => b.Start.Value)];
        _mmio = [.. (mmio ?? []).OrderBy(m => m.Start.Value)];
        if (_banks.Length == 0)
        {
            throw new XenMmException(MmError.InvalidArgument, "A host needs at least one RAM bank.");
        }

        var limit = 1UL << paBits;
        foreach (var bank in _banks)
        {
            if (bank.End > limit || bank.End == 0)
            {
                throw new XenMmException(MmError.InvalidAddress, $"RAM bank {bank} lies outside the {paBits}-bit physical address space.");
            }
        }

        foreach (var range in _mmio)
        {
            if (range.Size == 0 || !range.Start.IsPageAligned || (range.Size & Addressing.PageMask) != 0)
            {
                throw new XenMmException(MmError.Misaligned, $"MMIO range '{range.Name}' at {range.Start} of size 0x{range.Size:X} is empty or not page-aligned.");
            }

            if (range.End > limit || range.End < range.Start.Value)
            {
                throw new XenMmException(MmError.InvalidAddress, $"MMIO range '{range.Name}' at {range.Start} lies outside the {paBits}-bit physical address space.");
            }
        }

        CheckNoOverlap();
        _radix = new RamChunk?[]?[Math.Max(1, (int)(limit >> (ChunkShift + LeafShift)))];
    }

    /// <summary>Width of the physical address space in bits (PADDR_BITS).</summary>
    public int PaBits { get; }

    /// <summary>The RAM banks, sorted by address.</summary>
    public IReadOnlyList<RamBank> Banks => _banks;

    /// <summary>The MMIO ranges, sorted by address.</summary>
    public IReadOnlyList<MmioRange> Mmio => _mmio;

    /// <summary>Total RAM in pages.</summary>
    public ulong TotalPages => _banks.Aggregate(0UL, (sum, b) => sum + b.Pages);

    /// <summary>Number of 2 MiB chunks backed so far: what the machine has written, not its RAM size.</summary>
    public long BackedChunks => Interlocked.Read(ref _chunkCount);

    /// <summary>True when the byte at <paramref name="address"/> is RAM.</summary>
    public bool IsRam(PhysAddr address) => FindBank(address.Value) >= 0;

    /// <summary>True when the whole frame <paramref name="mfn"/> is RAM.</summary>
    public bool IsRam(Mfn mfn) => mfn.Value <= (ulong.MaxValue >> Addressing.PageShift) && IsRam(mfn.ToPhysAddr());

    /// <summary>True when <paramref name="address"/> lies in an MMIO range.</summary>
    public bool IsMmio(PhysAddr address) => Array.FindIndex(_mmio, m => m.Contains(address.Value)) >= 0;

    /// <summary>Loads a naturally aligned little-endian u64.</summary>
    /// <exception cref="XenMmException">The address is not RAM or not 8-byte aligned.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadU64(PhysAddr address)
    {
        var pa = address.Value;
        var chunk = FullRamChunk(pa);
        if (chunk is not null && (pa & 7) == 0)
        {
            var value = *(ulong*)(chunk.Base + (pa & (ChunkSize - 1)));
            GC.KeepAlive(chunk); // the pinned bytes live as long as their chunk
            return value;
        }

        return ReadSlow<ulong>(pa);
    }

    /// <summary>Stores a naturally aligned little-endian u64.</summary>
    /// <exception cref="XenMmException">The address is not RAM or not 8-byte aligned.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteU64(PhysAddr address, ulong value)
    {
        var pa = address.Value;
        var chunk = FullRamChunk(pa);
        if (chunk is not null && (pa & 7) == 0)
        {
            *(ulong*)(chunk.Base + (pa & (ChunkSize - 1))) = value;
            GC.KeepAlive(chunk);
            return;
        }

        WriteSlow(pa, value);
    }

    /// <summary>Loads a naturally aligned little-endian u32.</summary>
    public uint ReadU32(PhysAddr address) => ReadSlow<uint>(address.Value);

    /// <summary>Stores a naturally aligned little-endian u32.</summary>
    public void WriteU32(PhysAddr address, uint value) => WriteSlow(address.Value, value);

    /// <summary>Loads one byte.</summary>
    public byte ReadByte(PhysAddr address) => ReadSlow<byte>(address.Value);

    /// <summary>Stores one byte.</summary>
    public void WriteByte(PhysAddr address, byte value) => WriteSlow(address.Value, value);

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting at <paramref name="address"/>; the range may span chunks but must be RAM throughout.</summary>
    public void Read(PhysAddr address, Span<byte> destination)
    {
        CheckRamRange(address.Value, (ulong)destination.Length);
        var pa = address.Value;
        while (!destination.IsEmpty)
        {
            var offset = (int)(pa & (ChunkSize - 1));
            var n = Math.Min(destination.Length, ChunkSize - offset);
            var chunk = Chunk(pa);
            if (chunk is null)
            {
                destination[..n].Clear();
            }
            else
            {
                chunk.Bytes.Slice(offset, n).CopyTo(destination);
            }

            destination = destination[n..];
            pa += (ulong)n;
        }
    }

    /// <summary>Stores <paramref name="source"/> starting at <paramref name="address"/>; the range may span chunks but must be RAM throughout.</summary>
    public void Write(PhysAddr address, ReadOnlySpan<byte> source)
    {
        CheckRamRange(address.Value, (ulong)source.Length);
        var pa = address.Value;
        while (!source.IsEmpty)
        {
            var offset = (int)(pa & (ChunkSize - 1));
            var n = Math.Min(source.Length, ChunkSize - offset);
            source[..n].CopyTo(ChunkForWrite(pa).Bytes.Slice(offset, n));
            source = source[n..];
            pa += (ulong)n;
        }
    }

    /// <summary>Fills the frame <paramref name="mfn"/> with <paramref name="value"/>. Zeroing a never-written frame backs nothing.</summary>
    public void FillPage(Mfn mfn, byte value) => FillPageInChunk(mfn, value);

    /// <summary>
    /// Zeroes the frame <paramref name="mfn"/> and returns what <see cref="BackingChunk"/> gives for it, from the
    /// lookup the zeroing made (a new table tree's root: its walks start from that chunk).
    /// </summary>
    internal byte* ZeroPageInChunk(Mfn mfn) => FillPageInChunk(mfn, 0);

    private byte* FillPageInChunk(Mfn mfn, byte value)
    {
        // A frame in a chunk that is all RAM needs no bank lookup (a page-table page being zeroed, most often).
        ulong pa;
        RamChunk? chunk;
        if (mfn.Value <= (ulong.MaxValue >> Addressing.PageShift) && FullRamChunk(mfn.Value << Addressing.PageShift) is { } full)
        {
            pa = mfn.Value << Addressing.PageShift;
            chunk = full;
        }
        else
        {
            pa = CheckRamFrame(mfn);
            chunk = value == 0 ? Chunk(pa) : ChunkForWrite(pa);
        }

        if (chunk is null)
        {
            return null;
        }

        FillHostPage(chunk.Base + (pa & (ChunkSize - 1)), value);
        GC.KeepAlive(chunk);
        return chunk.IsFullRam ? chunk.Base : null;
    }

    // Xen's clear_page (and scrub_one_page's fill) on one page-aligned host page: four 64-byte lines per iteration.
    // Span.Fill's loop stores one vector per iteration; with the loop's own instructions it took 48-50 ns a page
    // against 32-33 for this loop (alternating, same process), and W4 clears two pages per map.
    internal static void FillHostPage(byte* page, byte value)
    {
        for (nuint i = 0; i < Addressing.PageSize; i += 256)
        {
            FillLine(page + i, value);
            FillLine(page + i + 64, value);
            FillLine(page + i + 128, value);
            FillLine(page + i + 192, value);
        }
    }

    // One 64-byte line, in one store where the hardware has 512-bit vectors. Written out per width: given two
    // adjacent 256-bit stores, the JIT merges them into one 512-bit store, which at an odd 32-byte offset straddles
    // two lines. The checks fold when the method is compiled.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FillLine(byte* line, byte value)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512.Create(value).Store(line);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var half = Vector256.Create(value);
            half.Store(line);
            half.Store(line + 32);
        }
        else
        {
            var quarter = Vector128.Create(value);
            quarter.Store(line);
            quarter.Store(line + 16);
            quarter.Store(line + 32);
            quarter.Store(line + 48);
        }
    }

    /// <summary>Zeroes the frame <paramref name="mfn"/> (Xen: clear_page, scrub_one_page in release builds).</summary>
    public void ZeroPage(Mfn mfn) => FillPage(mfn, 0);

    /// <summary>True when every byte of the frame is zero (cheap for never-written frames).</summary>
    public bool IsPageZero(Mfn mfn)
    {
        var pa = CheckRamFrame(mfn);
        var chunk = Chunk(pa);
        return chunk is null || !chunk.Bytes.Slice((int)(pa & (ChunkSize - 1)), (int)Addressing.PageSize).ContainsAnyExcept((byte)0);
    }

    /// <summary>
    /// Writes the raw bytes of <c>[start, start + length)</c> to <paramref name="stream"/>, for emulators and
    /// debuggers. Holes between banks and MMIO read as zero in the image.
    /// </summary>
    public void ExportImage(PhysAddr start, ulong length, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (length != 0 && start.Value > ulong.MaxValue - (length - 1))
        {
            throw new XenMmException(MmError.InvalidAddress, $"Image range at {start} of length 0x{length:X} wraps past 2^64.");
        }

        var buffer = new byte[Addressing.PageSize];
        var pa = start.Value;
        var left = length;
        while (left != 0)
        {
            var n = (int)Math.Min(left, Addressing.PageSize - (pa & Addressing.PageMask));
            var span = buffer.AsSpan(0, n);
            var chunk = FindBank(pa) >= 0 ? Chunk(pa) : null;
            if (chunk is null)
            {
                span.Clear();
            }
            else
            {
                chunk.Bytes.Slice((int)(pa & (ChunkSize - 1)), n).CopyTo(span);
            }

            stream.Write(span);
            pa += (ulong)n;
            left -= (ulong)n;
        }
    }

    /// <summary>The backed chunks in address order, as (first physical address, 2 MiB of bytes, RAM part only meaningful).</summary>
    public IEnumerable<(PhysAddr Start, ReadOnlyMemory<byte> Bytes)> EnumerateBackedChunks()
    {
        for (var hi = 0; hi < _radix.Length; hi++)
        {
            var leaf = _radix[hi];
            if (leaf is null)
            {
                continue;
            }

            for (var lo = 0; lo < LeafSize; lo++)
            {
                if (leaf[lo] is { } chunk)
                {
                    yield return (new PhysAddr((((ulong)hi << LeafShift) | (uint)lo) << ChunkShift), chunk.Owner.AsMemory(chunk.Offset, ChunkSize));
                }
            }
        }
    }

    /// <summary>
    /// The first byte of the 2 MiB chunk holding <paramref name="pa"/> when the whole chunk is RAM and has been
    /// written, else null. Chunks never move or go away while this memory lives, so a walker that keeps the memory
    /// alive (<see cref="GC.KeepAlive"/>) may keep the address between reads of one chunk.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* BackingChunk(ulong pa) => FullRamChunk(pa) is { } chunk ? chunk.Base : null;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RamChunk? FullRamChunk(ulong pa)
    {
        var index = pa >> ChunkShift;
        var hi = index >> LeafShift;
        var radix = _radix;
        if (hi >= (ulong)radix.Length)
        {
            return null;
        }

        // In range by the check above and by the mask (every leaf has LeafSize slots): indexing the arrays with a
        // ulong added an overflow check and a second bounds check per level.
        var leaf = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(radix), (nint)hi);
        if (leaf is null)
        {
            return null;
        }

        var chunk = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(leaf), (nint)(index & (LeafSize - 1)));
        return chunk is not null && chunk.IsFullRam ? chunk : null;
    }

    private RamChunk? Chunk(ulong pa)
    {
        var index = pa >> ChunkShift;
        var hi = index >> LeafShift;
        return hi < (ulong)_radix.Length ? _radix[hi]?[index & (LeafSize - 1)] : null;
    }

    private RamChunk ChunkForWrite(ulong pa)
    {
        var index = pa >> ChunkShift;
        var hi = (int)(index >> LeafShift);
        var leaf = _radix[hi] ?? Interlocked.CompareExchange(ref _radix[hi], new RamChunk?[LeafSize], null) ?? _radix[hi]!;
        ref var slot = ref leaf[index & (LeafSize - 1)];
        if (slot is { } existing)
        {
            return existing;
        }

        var chunkStart = index << ChunkShift;
        var full = FindBank(chunkStart) is var b and >= 0 && _banks[b].Contains(chunkStart + ChunkSize - 1);
        var fresh = RamChunk.Allocate(full);
        var winner = Interlocked.CompareExchange(ref slot, fresh, null);
        if (winner is null)
        {
            Interlocked.Increment(ref _chunkCount);
            return fresh;
        }

        return winner;
    }

    private T ReadSlow<T>(ulong pa)
        where T : unmanaged
    {
        CheckAccess(pa, sizeof(T));
        var chunk = Chunk(pa);
        return chunk is null ? default : Unsafe.As<byte, T>(ref chunk.Bytes[(int)(pa & (ChunkSize - 1))]);
    }

    private void WriteSlow<T>(ulong pa, T value)
        where T : unmanaged
    {
        CheckAccess(pa, sizeof(T));
        Unsafe.As<byte, T>(ref ChunkForWrite(pa).Bytes[(int)(pa & (ChunkSize - 1))]) = value;
    }

    private void CheckAccess(ulong pa, int size)
    {
        if ((pa & (ulong)(size - 1)) != 0)
        {
            throw new XenMmException(MmError.Misaligned, $"A {size}-byte access at 0x{pa:X} is not naturally aligned.");
        }

        CheckRamRange(pa, (ulong)size);
    }

    private ulong CheckRamFrame(Mfn mfn)
    {
        if (!IsRam(mfn))
        {
            throw new XenMmException(MmError.InvalidAddress, $"MFN {mfn} is not RAM.");
        }

        return mfn.Value << Addressing.PageShift;
    }

    private void CheckRamRange(ulong pa, ulong length)
    {
        if (length == 0)
        {
            return;
        }

        var bank = FindBank(pa);
        if (bank < 0 || pa + (length - 1) < pa || !_banks[bank].Contains(pa + (length - 1)))
        {
            var what = IsMmio(new PhysAddr(pa)) ? "is MMIO, which holds no simulated bytes" : "is not RAM";
            throw new XenMmException(MmError.InvalidAddress, $"Physical range at 0x{pa:X} of 0x{length:X} bytes {what}.");
        }
    }

    private int FindBank(ulong pa)
    {
        int lo = 0, hi = _banks.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var bank = _banks[mid];
            if (pa < bank.Start.Value)
            {
                hi = mid - 1;
            }
            else if (bank.Contains(pa))
            {
                return mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return -1;
    }

    private void CheckNoOverlap()
    {
        var all = _banks.Select(b => (b.Start.Value, End: b.End, Name: $"RAM bank {b}"))
            .Concat(_mmio.Select(m => (m.Start.Value, m.End, Name: $"MMIO range '{m.Name}' [{m.Start}, 0x{m.End:X})")))
            .OrderBy(r => r.Value)
            .ToArray();
        for (var i = 1; i < all.Length; i++)
        {
            if (all[i].Value < all[i - 1].End)
            {
                throw new XenMmException(MmError.Overlap, $"{all[i].Name} overlaps {all[i - 1].Name}.");
            }
        }
    }
}

using CsCheck;
using XenMm.Memory;

namespace XenMm.Core.Tests.Memory;

public class PhysicalMemoryTests
{
    private static PhysicalMemory TwoBanks() => new(
        [new RamBank(new PhysAddr(0x8000_0000), 0x4000_0000), new RamBank(new PhysAddr(0x1_0010_0000), 0x10_0000)],
        paBits: 48,
        [new MmioRange(new PhysAddr(0x1C09_0000), 0x1000, "uart0")]);

    [Fact]
    public void Unwritten_ram_reads_zero_and_backs_nothing()
    {
        var mem = TwoBanks();
        Assert.Equal(0UL, mem.ReadU64(new PhysAddr(0x8000_0000)));
        Assert.Equal(0u, mem.ReadU32(new PhysAddr(0xBFFF_FFFC)));
        Assert.True(mem.IsPageZero(new Mfn(0x80000)));
        mem.ZeroPage(new Mfn(0x80000));
        Assert.Equal(0, mem.BackedChunks);
    }

    [Fact]
    public void Writes_back_one_2MiB_chunk_and_read_back_little_endian()
    {
        var mem = TwoBanks();
        mem.WriteU64(new PhysAddr(0x8020_0008), 0x0040_0000_8000_0F7D);
        Assert.Equal(1, mem.BackedChunks);
        Assert.Equal(0x0040_0000_8000_0F7DUL, mem.ReadU64(new PhysAddr(0x8020_0008)));
        Assert.Equal(0x8000_0F7Du, mem.ReadU32(new PhysAddr(0x8020_0008)));
        Assert.Equal((byte)0x7D, mem.ReadByte(new PhysAddr(0x8020_0008)));
        Assert.Equal(0x0040_0000u, mem.ReadU32(new PhysAddr(0x8020_000C)));
        Assert.False(mem.IsPageZero(new Mfn(0x80200)));
        var (start, bytes) = Assert.Single(mem.EnumerateBackedChunks());
        Assert.Equal(new PhysAddr(0x8020_0000), start);
        Assert.Equal(2 * 1024 * 1024, bytes.Length);
    }

    [Fact]
    public void Spans_cross_chunk_boundaries()
    {
        var mem = TwoBanks();
        var data = Enumerable.Range(0, 6000).Select(i => (byte)i).ToArray();
        mem.Write(new PhysAddr(0x801F_F000), data);
        var back = new byte[6000];
        mem.Read(new PhysAddr(0x801F_F000), back);
        Assert.Equal(data, back);
        Assert.Equal(2, mem.BackedChunks);
    }

    [Fact]
    public void Bank_edges_inside_a_chunk_are_enforced()
    {
        // The second bank covers [0x1_0010_0000, 0x1_0020_0000): half of one 2 MiB chunk.
        var mem = TwoBanks();
        mem.WriteU64(new PhysAddr(0x1_001F_FFF8), 7);
        Assert.Equal(7UL, mem.ReadU64(new PhysAddr(0x1_001F_FFF8)));
        var ex = Assert.Throws<XenMmException>(() => mem.ReadU64(new PhysAddr(0x1_000F_FFF8)));
        Assert.Equal(MmError.InvalidAddress, ex.Error);
        Assert.Contains("0x1000FFFF8", ex.Message);
        Assert.Throws<XenMmException>(() => mem.WriteU64(new PhysAddr(0x1_0000_0000), 1));
    }

    [Fact]
    public void Outside_ram_mmio_and_misaligned_accesses_throw()
    {
        var mem = TwoBanks();
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => mem.ReadU64(new PhysAddr(0xC000_0000))).Error);
        var mmio = Assert.Throws<XenMmException>(() => mem.WriteU32(new PhysAddr(0x1C09_0000), 1));
        Assert.Contains("MMIO", mmio.Message);
        Assert.Equal(MmError.Misaligned, Assert.Throws<XenMmException>(() => mem.ReadU64(new PhysAddr(0x8000_0004))).Error);
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => mem.Write(new PhysAddr(0xBFFF_FFFF), new byte[2])).Error);
        Assert.Equal(0, mem.BackedChunks);
    }

    [Fact]
    public void Construction_validates_banks_and_ranges()
    {
        Assert.Equal(MmError.Misaligned, Assert.Throws<XenMmException>(() => new RamBank(new PhysAddr(0x8000_0800), 0x1000)).Error);
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => new RamBank(new PhysAddr(0x8000_0000), 0)).Error);
        var overlap = Assert.Throws<XenMmException>(() => new PhysicalMemory(
            [new RamBank(new PhysAddr(0x8000_0000), 0x2000_0000), new RamBank(new PhysAddr(0x9000_0000), 0x1000)], 40));
        Assert.Equal(MmError.Overlap, overlap.Error);
        var wide = Assert.Throws<XenMmException>(() => new PhysicalMemory([new RamBank(new PhysAddr(0xFF_FFFF_F000), 0x2000)], 40));
        Assert.Equal(MmError.InvalidAddress, wide.Error);
        Assert.Contains("40-bit", wide.Message);
        var mmio = Assert.Throws<XenMmException>(() => new PhysicalMemory(
            [new RamBank(new PhysAddr(0x8000_0000), 0x1000_0000)], 40, [new MmioRange(new PhysAddr(0x8FFF_F000), 0x2000, "gic")]));
        Assert.Equal(MmError.Overlap, mmio.Error);
    }

    [Fact]
    public void Export_image_writes_raw_bytes_with_holes_as_zero()
    {
        var mem = TwoBanks();
        mem.WriteU64(new PhysAddr(0xBFFF_FFF8), 0x1122_3344_5566_7788);
        using var stream = new MemoryStream();
        mem.ExportImage(new PhysAddr(0xBFFF_FFF0), 0x20, stream);
        var image = stream.ToArray();
        Assert.Equal(0x20, image.Length);
        Assert.Equal(0x1122_3344_5566_7788UL, BitConverter.ToUInt64(image, 8));
        Assert.All(image[16..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Two_terabytes_of_ram_cost_nothing_until_touched()
    {
        var mem = new PhysicalMemory([new RamBank(new PhysAddr(0x80_0000_0000), 2UL << 40)], 48);
        Assert.Equal(1UL << 29, mem.TotalPages);
        mem.WriteU64(new PhysAddr(0x80_0000_0000 + (2UL << 40) - 8), 1);
        Assert.Equal(1, mem.BackedChunks);
    }

    [Fact]
    public unsafe void Every_simulated_page_starts_on_a_host_page()
    {
        // Clearing a page whose bytes straddled host cache lines split every vector store in two (about twice the
        // time per clear_page). The chunk a walker reads by address and the chunk the span APIs use are the same.
        var mem = TwoBanks();
        ulong[] addresses = [0x8000_0000, 0x8020_0FF8, 0xBFE0_0010, 0x1_001F_FFF8];
        foreach (var pa in addresses)
        {
            mem.WriteU64(new PhysAddr(pa), pa ^ 0x5A5A);
        }

        foreach (var pa in addresses[..3])
        {
            var chunk = mem.BackingChunk(pa);
            Assert.True(chunk != null, $"0x{pa:X} is in a full-RAM chunk");
            Assert.Equal(0UL, (ulong)chunk % Addressing.PageSize);
            Assert.Equal(pa ^ 0x5A5A, *(ulong*)(chunk + (pa & ((1UL << PhysicalMemory.ChunkShift) - 1))));
        }

        // The chunk that straddles the second bank's edge is backed but has no address for walkers.
        Assert.True(mem.BackingChunk(0x1_001F_FFF8) == null);
        var chunks = mem.EnumerateBackedChunks().ToArray();
        Assert.Equal([0x8000_0000UL, 0x8020_0000, 0xBFE0_0000, 0x1_0000_0000], chunks.Select(c => c.Start.Value));
        foreach (var (start, bytes) in chunks)
        {
            Assert.Equal(1 << PhysicalMemory.ChunkShift, bytes.Length);
            var pa = addresses.Single(a => a >> PhysicalMemory.ChunkShift == start.Value >> PhysicalMemory.ChunkShift);
            Assert.Equal(pa ^ 0x5A5A, BitConverter.ToUInt64(bytes.Span[(int)(pa - start.Value)..]));
            Assert.Equal(BitConverter.GetBytes(pa ^ 0x5A5A).Count(b => b != 0), bytes.Span.ToArray().Count(b => b != 0));
        }
    }

    [Fact]
    public void Filling_a_page_changes_that_page_and_nothing_else()
    {
        // Pages of the first bank's first chunks and of the bank-edge chunk of the second bank (0x1_0010_0000 is
        // its first page), filled and zeroed in random order over a model of every byte.
        var pages = new ulong[] { 0x80000, 0x80001, 0x801FF, 0x80200, 0x80201, 0x100100, 0x1001FF };
        Gen.Select(Gen.Int[0, pages.Length - 1], Gen.Byte).Array[1, 24].Sample(ops =>
        {
            var mem = TwoBanks();
            var model = pages.ToDictionary(p => p, _ => (byte)0);
            foreach (var (index, value) in ops)
            {
                var mfn = new Mfn(pages[index]);
                if (value % 3 == 0)
                {
                    mem.ZeroPage(mfn);
                    model[mfn.Value] = 0;
                }
                else
                {
                    mem.FillPage(mfn, value);
                    model[mfn.Value] = value;
                }
            }

            var bytes = new byte[Addressing.PageSize];
            foreach (var (mfn, value) in model)
            {
                // The page, and the last byte before it (a page of the model or never written: zero).
                mem.Read(new Mfn(mfn).ToPhysAddr(), bytes);
                Assert.All(bytes, b => Assert.Equal(value, b));
                Assert.Equal(value == 0, mem.IsPageZero(new Mfn(mfn)));
                var before = new Mfn(mfn - 1);
                if (mem.IsRam(before))
                {
                    var expected = model.GetValueOrDefault(mfn - 1);
                    Assert.Equal(expected, mem.ReadByte(new PhysAddr(new Mfn(mfn).ToPhysAddr().Value - 1)));
                }
            }
        }, iter: 200);
    }

    [Fact]
    public void Zeroing_a_page_clears_every_written_byte_wherever_it_lies()
    {
        // A few bytes anywhere in a page (a reused table page holds a handful of entries), written over zeros or over a
        // fill, are all cleared by ZeroPage, and the pages on either side keep their bytes.
        Gen.Select(Gen.Int[0, (int)Addressing.PageSize - 1].Array[1, 12], Gen.Byte[1, 255], Gen.Bool).Sample((offsets, value, full) =>
        {
            var mem = TwoBanks();
            var page = new Mfn(0x80201);
            mem.FillPage(page - 1, 0x11);
            mem.FillPage(page + 1, 0x22);
            if (full)
            {
                mem.FillPage(page, value);
            }

            foreach (var offset in offsets)
            {
                mem.WriteByte(new PhysAddr(page.ToPhysAddr().Value + (ulong)offset), value);
            }

            mem.ZeroPage(page);

            Assert.True(mem.IsPageZero(page));
            var bytes = new byte[3 * Addressing.PageSize];
            mem.Read((page - 1).ToPhysAddr(), bytes);
            Assert.All(bytes[..(int)Addressing.PageSize], b => Assert.Equal(0x11, b));
            Assert.All(bytes[(int)Addressing.PageSize..(2 * (int)Addressing.PageSize)], b => Assert.Equal(0, b));
            Assert.All(bytes[(2 * (int)Addressing.PageSize)..], b => Assert.Equal(0x22, b));
        }, iter: 300);
    }
}

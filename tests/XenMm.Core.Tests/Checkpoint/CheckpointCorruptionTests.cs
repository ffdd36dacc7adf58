using XenMm.Checkpoint;
using XenMm.Machine;
using XenMm.Tests.Machine.Toy;
using static XenMm.Tests.Checkpoint.CheckpointSurgery;

namespace XenMm.Tests.Checkpoint;

/// <summary>
/// A damaged or foreign checkpoint never restores and never throws anything but CorruptCheckpoint or
/// IncompatibleCheckpoint, with a message saying where.
/// </summary>
public sealed class CheckpointCorruptionTests
{
    private static readonly Lazy<byte[]> File = new(() =>
    {
        var m = ToyOps.Boot();
        new ToyOps(m, 42).Run(0, 300);
        return Save(m, new Dictionary<string, byte[]> { ["note"] = [1, 2, 3] });
    });

    private static (MmError Error, string Message) Refuse(byte[] file, IArchitecture? arch = null, CheckpointRestoreOptions? options = null)
    {
        var ex = Assert.Throws<XenMmException>(() => Restore(file, arch, options));
        Assert.True(ex.Error is MmError.CorruptCheckpoint or MmError.IncompatibleCheckpoint, ex.ToString());
        return (ex.Error, ex.Message);
    }

    private static string Corrupt(byte[] file)
    {
        var (error, message) = Refuse(file);
        Assert.Equal(MmError.CorruptCheckpoint, error);
        return message;
    }

    private static void Has(string expected, string message) => Assert.True(message.Contains(expected, StringComparison.Ordinal), message);

    [Fact]
    public void Truncation_at_every_record_boundary_is_corrupt()
    {
        var file = File.Value;
        var offsets = new List<long> { 0, 8, 15, 16 };
        var frames = CheckpointParser.ReadFrames(new MemoryStream(file));
        offsets.AddRange(frames.Select(f => f.Offset));
        offsets.AddRange(frames.Select(f => f.Offset + 10));
        foreach (var at in offsets.Where(o => o < file.Length))
        {
            var message = Corrupt(file[..(int)at]);
            Assert.Contains("offset", message);
        }

        Has("without an End record", Corrupt(file[..(int)frames[^1].Offset]));
    }

    [Fact]
    public void Truncation_at_random_offsets_is_corrupt()
    {
        var file = File.Value;
        var rng = new Random(5);
        for (var i = 0; i < 300; i++)
        {
            Corrupt(file[..rng.Next(file.Length)]);
        }
    }

    [Fact]
    public void A_flipped_bit_anywhere_is_caught_by_a_checksum()
    {
        var file = File.Value;
        var rng = new Random(9);
        for (var i = 0; i < 2000; i++)
        {
            var copy = (byte[])file.Clone();
            copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
            Refuse(copy);
        }
    }

    [Fact]
    public void Wrong_magic_and_a_future_version_are_named()
    {
        var file = (byte[])File.Value.Clone();
        file[0] = (byte)'Y';
        Has("not a XenMm checkpoint", Corrupt(file));
        Has("not a XenMm checkpoint", Corrupt("hello"u8.ToArray()));
        var future = Join(Split(File.Value), version: 2);
        var (error, message) = Refuse(future);
        Assert.Equal(MmError.IncompatibleCheckpoint, error);
        Assert.Contains("format version 2", message);
    }

    [Fact]
    public void Records_out_of_order_missing_or_repeated_are_corrupt()
    {
        var records = Split(File.Value);
        var heap = records.FindIndex(r => r.Type == (uint)CheckpointRecordType.Heap);
        var swapped = records.ToList();
        (swapped[heap], swapped[heap - 1]) = (swapped[heap - 1], swapped[heap]);
        Has("FrameTable record is missing before it", Corrupt(Join(swapped)));

        var missing = records.Where(r => r.Type != (uint)CheckpointRecordType.Vmap).ToList();
        missing[^1] = ((uint)CheckpointRecordType.End, End(missing.Count - 1));
        Has("Vmap record is missing", Corrupt(Join(missing)));

        var twice = records.ToList();
        twice.Insert(heap, records[heap]);
        twice[^1] = ((uint)CheckpointRecordType.End, End(twice.Count - 1));
        Has("out of order", Corrupt(Join(twice)));

        var headerLast = records.Skip(1).Prepend(records[1]).ToList();
        Has("not the Header", Corrupt(Join(headerLast)));

        var count = records.ToList();
        count[^1] = ((uint)CheckpointRecordType.End, End(3));
        Has("End record counts 3", Corrupt(Join(count)));

        var trailing = File.Value.Concat(new byte[30]).ToArray();
        Has("follows the End record", Corrupt(trailing));
    }

    [Fact]
    public void Unknown_optional_records_are_skipped_and_unknown_mandatory_ones_refused()
    {
        var records = Split(File.Value);
        var optional = records.ToList();
        optional.Insert(optional.Count - 1, (0x8000_0777, new byte[] { 0x90 }));
        optional[^1] = ((uint)CheckpointRecordType.End, End(optional.Count - 1));
        Assert.Empty(Restore(Join(optional)).Audit());

        var mandatory = records.ToList();
        mandatory.Insert(mandatory.Count - 1, (0x777, new byte[] { 0x90 }));
        mandatory[^1] = ((uint)CheckpointRecordType.End, End(mandatory.Count - 1));
        var (error, message) = Refuse(Join(mandatory));
        Assert.Equal(MmError.IncompatibleCheckpoint, error);
        Assert.Contains("mandatory record type", message);
    }

    [Fact]
    public void Lengths_that_lie_are_corrupt()
    {
        var frames = CheckpointParser.ReadFrames(new MemoryStream(File.Value));
        foreach (var delta in new long[] { -1, 1, 1L << 40, -100 })
        {
            var file = (byte[])File.Value.Clone();
            var at = (int)frames[3].Offset + 8;
            var length = BitConverter.ToInt64(file, at) + delta;
            BitConverter.TryWriteBytes(file.AsSpan(at), length);
            Has("record 3", Corrupt(file));
        }

        // A body whose own counts lie, with a valid checksum.
        var records = Split(File.Value);
        var i = records.FindIndex(r => r.Type == (uint)CheckpointRecordType.Heap);
        records[i] = (records[i].Type, records[i].Body[..^5]);
        Has("Heap", Corrupt(Join(records)));
    }

    [Fact]
    public void A_forged_free_list_that_cycles_or_overlaps_allocated_pages_is_corrupt()
    {
        // A head listed twice (the only way a list can cycle in this format).
        Has("listed twice", Corrupt(EditHeap(File.Value, h =>
        {
            var li = Array.FindIndex(h.ListLengths, n => n > 0);
            var at = h.ListLengths.Take(li).Sum(n => (long)n);
            h.Heads = [.. h.Heads.Take((int)at + 1), h.Heads[at], .. h.Heads.Skip((int)at + 1)];
            h.FirstDirty = [.. h.FirstDirty.Take((int)at + 1), h.FirstDirty[at], .. h.FirstDirty.Skip((int)at + 1)];
            h.Flags = [.. h.Flags.Take((int)at + 1), h.Flags[at], .. h.Flags.Skip((int)at + 1)];
            h.Scrub = [.. h.Scrub.Take((int)at + 1), h.Scrub[at], .. h.Scrub.Skip((int)at + 1)];
            h.ListLengths[li]++;
        })));

        // An order-0 head on an allocated page: the audit sees it overlap or the census sees the page twice.
        var restored = Restore(File.Value);
        var owned = restored.Census().Spans.First(s => s.Use == PageUse.Domain).Start;
        var idx = (uint)(owned.Value - 0x80000);
        Has("audit", Corrupt(EditHeap(File.Value, h =>
        {
            var li = 37 * 19 * 0 + (restored.Heap.ZoneOf(owned) * 19);
            var at = h.ListLengths.Take(li).Sum(n => (long)n);
            h.Heads = [.. h.Heads.Take((int)at), idx, .. h.Heads.Skip((int)at)];
            h.FirstDirty = [.. h.FirstDirty.Take((int)at), (1u << 19) - 1, .. h.FirstDirty.Skip((int)at)];
            h.Flags = [.. h.Flags.Take((int)at), 0, .. h.Flags.Skip((int)at)];
            h.Scrub = [.. h.Scrub.Take((int)at), 0, .. h.Scrub.Skip((int)at)];
            h.ListLengths[li]++;
        })));
    }

    [Fact]
    public void A_page_claimed_by_two_owners_is_corrupt()
    {
        var restored = Restore(File.Value);
        var owned = restored.Census().Spans.First(s => s.Use == PageUse.Domain).Start;
        var message = Corrupt(EditFrames(File.Value, f =>
        {
            var list = f.Mfns.Zip(f.Uses).Append((First: owned.Value, Second: (byte)PageUse.PageTable)).OrderBy(x => x.First).ToList();
            f.Mfns = [.. list.Select(x => x.First)];
            f.Uses = [.. list.Select(x => x.Second)];
        }));
        Assert.Contains("audit", message);

        Has("domain 99", Corrupt(EditFrameTable(File.Value, f => f.Owners[Array.FindIndex(f.Owners, o => o >= 0)] = 99)));
    }

    [Fact]
    public void Another_architecture_or_machine_is_incompatible_and_named()
    {
        var (error, message) = Refuse(File.Value, new RenamedArchitecture(new ToyArchitecture(), "arm64"));
        Assert.Equal(MmError.IncompatibleCheckpoint, error);
        Assert.Contains("architecture: file toy, host arm64", message);

        var other = ToyOps.Board();
        other.Ram[1] = new MemoryRegion(new PhysAddr(0x8200_0000), 16UL << 20);
        other.Cpus = 4;
        (error, message) = Refuse(File.Value, options: new CheckpointRestoreOptions { ExpectedOptions = other });
        Assert.Equal(MmError.IncompatibleCheckpoint, error);
        Assert.Contains("CPUs: file 2, host 4", message);
        Assert.Contains("RAM banks", message);
    }

    // The toy under another name: what a checkpoint of one architecture meets on a host of another.
    private sealed class RenamedArchitecture(IArchitecture inner, string name) : IArchitecture
    {
        public string Name => name;

        public string PageTableFormat => inner.PageTableFormat;

        public int BitsPerLong => inner.BitsPerLong;

        public int PaddrBits => inner.PaddrBits;

        public int PageInfoSize => inner.PageInfoSize;

        public Layout.IAddressSpaceLayout GetLayout(XenProfile profile) => inner.GetLayout(profile);

        public Heap.HeapConfig GetHeapConfig(XenProfile profile) => inner.GetHeapConfig(profile);

        public MachineOptions DefaultBoard() => inner.DefaultBoard();

        public BootModule DefaultXenImage(MachineOptions options) => inner.DefaultXenImage(options);

        public void Boot(BootContext context) => inner.Boot(context);
    }
}

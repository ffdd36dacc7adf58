using System.Buffers.Binary;
using System.Diagnostics;
using XenMm.DeviceTree;
using Xunit.Abstractions;

namespace XenMm.Core.Tests.DeviceTree;

/// <summary>
/// A blob is untrusted input: seeded damage to real and hand-written blobs (bit flips, truncations, header fields,
/// lengths and offsets, tokens, random garbage) must end in a result or <see cref="MmError.InvalidDeviceTree"/>,
/// never another exception, a hang or a crash.
/// </summary>
public class MutationTests(ITestOutputHelper output)
{
    private const int Runs = 120_000;

    private static readonly uint[] Interesting =
        [0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 18, 0x28, 0x38, 0x40, 0xFF, 0x1000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFF0, 0xFFFF_FFFC, 0xFFFF_FFFF];

    [Fact]
    public void Damaged_blobs_parse_or_throw_invalid_device_tree()
    {
        var seeds = Seeds();
        var random = new Random(20240917);
        int parsed = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        for (int run = 0; run < Runs; run++)
        {
            var seed = seeds[run % seeds.Length];
            var blob = Mutate(seed, random);
            try
            {
                var info = run % 3 == 0
                    ? DeviceTreeBootInfo.ReadLoadedAt(blob, new PhysAddr(0x4800_0000), hasXsmMagic: a => (a.Value & 0x10_0000) != 0)
                    : DeviceTreeBootInfo.Read(blob);
                Assert.True(info.Modules.Count <= 32 && info.MemoryBanks.Count <= 256 && info.TotalSize <= blob.Length);
                parsed++;
            }
            catch (XenMmException ex) when (ex.Error == MmError.InvalidDeviceTree && ex.Message.StartsWith("Invalid device tree at byte 0x", StringComparison.Ordinal))
            {
                refused++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"run {run} (seed blob {run % seeds.Length}): {ex}\nblob: {Convert.ToHexString(blob)}");
            }
        }
        output.WriteLine($"{Runs} damaged blobs: {parsed} parsed, {refused} refused, {clock.ElapsedMilliseconds} ms");
        // The damage must reach past the header checks often enough to exercise the structure and the scan.
        Assert.True(parsed > Runs / 20, $"only {parsed} damaged blobs parsed");
        Assert.True(refused > Runs / 4, $"only {refused} damaged blobs refused");
    }

    private static byte[][] Seeds()
    {
        var names = new[] { "banks", "cells1", "cmdline-xen", "cmdline-none", "cmdline-dom0", "modules", "virt-arm32", "virt-arm64" };
        return [.. names.Select(n => Shrink(TestBlobs.Load(n)))];
    }

    // QEMU pads its blob to 1 MiB; cut totalsize to the end of the strings block so each run copies kilobytes.
    private static byte[] Shrink(byte[] blob)
    {
        uint end = BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(12)) + BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(32));
        var small = blob.AsSpan(0, (int)end).ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(small, 0xD00D_FEED);
        BinaryPrimitives.WriteUInt32BigEndian(small.AsSpan(4), end);
        return small;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var blob = (byte[])seed.Clone();
        int damage = 1 + random.Next(3);
        for (int i = 0; i < damage; i++)
            blob = MutateOnce(blob, random);
        return blob;
    }

    private static byte[] MutateOnce(byte[] blob, Random random)
    {
        switch (random.Next(8))
        {
            case 0: // bit flips
                for (int n = 1 + random.Next(8); n > 0 && blob.Length > 0; n--)
                    blob[random.Next(blob.Length)] ^= (byte)(1 << random.Next(8));
                return blob;
            case 1: // truncation, keeping or fixing totalsize
                var cut = blob.AsSpan(0, random.Next(blob.Length + 1)).ToArray();
                if (cut.Length >= 8 && random.Next(2) == 0)
                    BinaryPrimitives.WriteUInt32BigEndian(cut.AsSpan(4), (uint)cut.Length);
                return cut;
            case 2: // a header field: totalsize, offsets, versions, sizes
                if (blob.Length >= 40)
                    BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(4 * (1 + random.Next(9))), Pick(random, blob.Length));
                return blob;
            case 3: // a 32-bit word in the structure block: a token, a property length or a name offset
            case 4:
                if (blob.Length >= 40)
                {
                    uint off = BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(8));
                    int words = (blob.Length - (int)Math.Min(off, (uint)blob.Length)) / 4;
                    if (words > 0)
                        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan((int)off + 4 * random.Next(words)), Pick(random, blob.Length));
                }
                return blob;
            case 5: // a run of random bytes anywhere
                int at = random.Next(blob.Length + 1), len = Math.Min(random.Next(1, 17), blob.Length - at);
                random.NextBytes(blob.AsSpan(at, len));
                return blob;
            case 6: // a string's terminator or a byte of text
                for (int i = random.Next(blob.Length + 1); i < blob.Length; i++)
                {
                    if (blob[i] == 0 || random.Next(16) == 0)
                    {
                        blob[i] = blob[i] == 0 ? (byte)'x' : (byte)0;
                        break;
                    }
                }
                return blob;
            default: // garbage, sometimes behind a valid magic and a plausible header
                var garbage = new byte[random.Next(0, 256)];
                random.NextBytes(garbage);
                if (garbage.Length >= 40 && random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(garbage, 0xD00D_FEED);
                    BinaryPrimitives.WriteUInt32BigEndian(garbage.AsSpan(4), (uint)garbage.Length);
                    BinaryPrimitives.WriteUInt32BigEndian(garbage.AsSpan(20), 17);
                    BinaryPrimitives.WriteUInt32BigEndian(garbage.AsSpan(24), 16);
                }
                return garbage;
        }
    }

    private static uint Pick(Random random, int length) => random.Next(3) switch
    {
        0 => Interesting[random.Next(Interesting.Length)],
        1 => (uint)(length + random.Next(-8, 9)),
        _ => (uint)random.Next(),
    };
}

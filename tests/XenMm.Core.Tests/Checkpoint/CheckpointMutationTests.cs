using System.Diagnostics;
using XenMm.Checkpoint;
using static XenMm.Tests.Checkpoint.CheckpointSurgery;

namespace XenMm.Tests.Checkpoint;

/// <summary>
/// The seeded mutation run: damaged checkpoints, most damaged as bytes (caught by frames and checksums) and some
/// damaged inside a record's decoded body and checksummed again (so the record parsers, the restore's checks and
/// the audit see them). Every one restores or is refused as corrupt or incompatible: no other exception, no hang.
/// </summary>
public sealed class CheckpointMutationTests
{
    private const int RawMutations = 98_000;
    private const int BodyMutations = 2_000;

    [Fact]
    public void One_hundred_thousand_damaged_files_restore_or_are_refused()
    {
        var m = ToyOps.Boot();
        new ToyOps(m, 3).Run(0, 250);
        var file = Save(m, new Dictionary<string, byte[]> { ["w"] = [9, 9] });
        var records = Split(file);
        var outcomes = new int[3];
        var sw = Stopwatch.StartNew();
        Parallel.For(0, RawMutations + BodyMutations, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var rng = new Random(i);
            var damaged = i < RawMutations ? DamageBytes(file, rng) : DamageBody(records, rng);
            var outcome = Try(damaged);
            Interlocked.Increment(ref outcomes[outcome]);
        });
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(120), $"mutation run took {sw.Elapsed}");
        Assert.Equal(RawMutations + BodyMutations, outcomes.Sum());
        Assert.True(outcomes[1] > RawMutations / 2, $"restored {outcomes[0]}, corrupt {outcomes[1]}, incompatible {outcomes[2]}");
    }

    private static int Try(byte[] damaged)
    {
        try
        {
            Restore(damaged);
            return 0;
        }
        catch (XenMmException ex) when (ex.Error == MmError.CorruptCheckpoint)
        {
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
            return 1;
        }
        catch (XenMmException ex) when (ex.Error == MmError.IncompatibleCheckpoint)
        {
            return 2;
        }
        catch (Exception ex)
        {
            Assert.Fail($"unexpected {ex}");
            return -1;
        }
    }

    private static byte[] DamageBytes(byte[] file, Random rng)
    {
        var copy = file.ToList();
        var n = 1 + rng.Next(3);
        for (var k = 0; k < n && copy.Count > 0; k++)
        {
            var at = rng.Next(copy.Count);
            switch (rng.Next(6))
            {
                case 0:
                    copy[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    copy[at] = (byte)rng.Next(256);
                    break;
                case 2:
                    copy.RemoveRange(at, Math.Min(copy.Count - at, rng.Next(1, 64)));
                    break;
                case 3:
                    copy.InsertRange(at, Enumerable.Range(0, rng.Next(1, 32)).Select(_ => (byte)rng.Next(256)));
                    break;
                case 4:
                    copy.RemoveRange(at, copy.Count - at);
                    break;
                default:
                    var len = Math.Min(copy.Count - at, rng.Next(1, 200));
                    copy.InsertRange(rng.Next(copy.Count), copy.GetRange(at, len));
                    break;
            }
        }

        return [.. copy];
    }

    // Damage one record's decoded body, or the record list itself, then frame and checksum it all again.
    private static byte[] DamageBody(List<(uint Type, byte[] Body)> records, Random rng)
    {
        var list = records.ToList();
        var i = rng.Next(list.Count);
        var body = list[i].Body.ToArray();
        switch (rng.Next(5))
        {
            case 0 when body.Length > 0:
                body[rng.Next(body.Length)] ^= (byte)(1 << rng.Next(8));
                break;
            case 1 when body.Length > 0:
                body[rng.Next(body.Length)] = (byte)rng.Next(256);
                break;
            case 2:
                body = body[..rng.Next(body.Length + 1)];
                break;
            case 3:
                (list[i], list[rng.Next(list.Count)]) = (list[rng.Next(list.Count)], list[i]);
                return Join(list);
            default:
                // A MessagePack length or count raised: the next byte after a header is most often one.
                if (body.Length > 2)
                {
                    var at = rng.Next(body.Length - 1);
                    body[at] = (byte)(0xdc + rng.Next(4));
                }

                break;
        }

        list[i] = (list[i].Type, body);
        return Join(list);
    }
}

using MessagePack;

namespace XenMm.Arm32;

// Reading the arm32 parts' payloads: every count checked, every failure CorruptCheckpoint naming the part.
internal static class Arm32Checkpoint
{
    public static long[] ReadCounters(ReadOnlyMemory<byte> payload, string part, int expected) => Guard(part, () =>
    {
        var r = new MessagePackReader(payload);
        var n = r.ReadArrayHeader();
        if (n != expected)
        {
            throw Corrupt(part, $"{n} values, expected {expected}");
        }

        var values = new long[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = r.ReadInt64();
        }

        if (!r.End)
        {
            throw Corrupt(part, "bytes follow the values");
        }

        return values;
    });

    private static T Guard<T>(string part, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is not XenMmException and not OutOfMemoryException)
        {
            throw Corrupt(part, ex.Message);
        }
    }

    private static XenMmException Corrupt(string part, string what) => new(MmError.CorruptCheckpoint, $"Corrupt checkpoint: {part}: {what}.");
}

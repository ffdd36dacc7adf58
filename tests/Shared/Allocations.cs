namespace XenMm.Tests.Shared;

/// <summary>Managed allocations of a hot path, measured on settled code.</summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="body"/> in up to <paramref name="rounds"/> measured rounds and returns the fewest bytes one
    /// round allocated on this thread. Tiered compilation may allocate while it swaps optimised code in, so one round
    /// can see bytes that are not the code's; an allocation per call shows in every round.
    /// </summary>
    public static long FewestBytes(Action body, int rounds = 10)
    {
        var fewest = long.MaxValue;
        for (var round = 0; round < rounds && fewest != 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            body();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            Thread.Sleep(50);
        }

        return fewest;
    }
}

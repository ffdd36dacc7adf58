using XenMm.VirtualMapping;

namespace XenMm.Tests.Shared;

/// <summary>One step of the random mixes' vmalloc traffic: a small vmalloc while fewer than 40 are live, else a vfree.</summary>
internal static class VmallocChurn
{
    public static void Step(Vmap vmap, List<VirtAddr> live, Random rng)
    {
        if (live.Count < 40 && vmap.TryMalloc((ulong)(rng.Next(1, 6) * 4096), out var va))
        {
            live.Add(va);
        }
        else if (live.Count > 0)
        {
            var i = rng.Next(live.Count);
            vmap.VFree(live[i]);
            live.RemoveAt(i);
        }
    }
}

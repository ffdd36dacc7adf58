using System.Globalization;
using System.Text;
using XenMm.Heap;

namespace XenMm.Reports;

/// <summary>
/// Xen's heap debug keys in Xen's own words (xen/common/page_alloc.c: <c>dump_heap</c> for 'H',
/// <c>pagealloc_info</c> for 'm'), plus a free-chunk histogram and a fragmentation index per zone.
/// </summary>
public sealed class HeapReport
{
    private readonly BuddyHeap _heap;

    /// <summary>Creates reports over <paramref name="heap"/>.</summary>
    public HeapReport(BuddyHeap heap)
    {
        _heap = heap ?? throw new ArgumentNullException(nameof(heap));
    }

    /// <summary>
    /// Debug key 'H' (<c>dump_heap</c>): <c>avail[node][zone]</c> for every zone of every node whose heap
    /// exists, then the unscrubbed-page count of each node that has any. <paramref name="now"/> stands for
    /// Xen's <c>NOW()</c> (system time in ns); XenMm has no clock.
    /// </summary>
    public string DumpHeap(long now = 0)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"'H' pressed -> dumping heap info (now = {now})\n");
        int nodes = _heap.Config.Nodes;
        for (int n = 0; n < nodes; n++)
        {
            if (!_heap.NodeHeapInitialised(n))
            {
                continue;
            }

            for (int z = 0; z < _heap.NrZones; z++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"heap[node={n}][zone={z}] -> {_heap.Avail(n, z)} pages\n");
            }
        }

        for (int n = 0; n < nodes; n++)
        {
            ulong dirty = _heap.NodeNeedScrub(n);
            if (dirty != 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"Node {n} has {dirty} unscrubbed pages\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Debug key 'm' (<c>pagealloc_info</c>): the free Xen heap (zone 0), each non-empty zone, and the Dom heap
    /// total, in kB. (No "DMA heap" line: <c>dma_bitsize</c> is 0 on ARM.)
    /// </summary>
    public string MemoryInfo()
    {
        const int KbShift = Addressing.PageShift - 10;
        var sb = new StringBuilder();
        sb.Append("Physical memory information:\n");
        sb.Append(CultureInfo.InvariantCulture, $"    Xen heap: {_heap.AvailHeapPages(0, 0) << KbShift}kB free\n");
        ulong total = 0;
        for (int z = 1; z < _heap.NrZones; z++)
        {
            ulong n = _heap.AvailHeapPages(z, z);
            if (n != 0)
            {
                total += n;
                sb.Append(CultureInfo.InvariantCulture, $"    heap[{z:D2}]: {n << KbShift}kB free\n");
            }
        }

        sb.Append(CultureInfo.InvariantCulture, $"    Dom heap: {total << KbShift}kB free\n");
        return sb.ToString();
    }

    /// <summary>Free chunks per order over every node and zone, one <c>order N: count</c> line each.</summary>
    public string FreeChunkHistogram()
    {
        var hist = _heap.FreeChunkHistogram();
        var sb = new StringBuilder();
        for (int o = 0; o < hist.Length; o++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"order {o,2}: {hist[o]}\n");
        }

        return sb.ToString();
    }

    /// <summary>
    /// Fragmentation index of a zone: 1 − (pages in its largest free chunk ÷ its free pages). 0 when all free
    /// memory of the zone is one chunk (or the zone is empty); it approaches 1 as free memory splinters.
    /// </summary>
    public double FragmentationIndex(int node, int zone)
    {
        ulong free = _heap.Avail(node, zone);
        if (free == 0)
        {
            return 0;
        }

        for (int o = _heap.MaxOrder; o >= 0; o--)
        {
            if (_heap.FreeList(node, zone, o).Count != 0)
            {
                return 1.0 - ((double)(1UL << o) / free);
            }
        }

        return 0;
    }
}

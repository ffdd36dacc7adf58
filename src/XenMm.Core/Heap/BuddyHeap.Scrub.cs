using XenMm.Frames;

namespace XenMm.Heap;

// scrub_free_pages: the idle loop's lazy scrubbing (xen/common/page_alloc.c, Xen 4.10+).
public sealed partial class BuddyHeap
{
    /// <summary>
    /// One idle-loop pass of Xen's <c>scrub_free_pages</c>: for the first node needing it, zones 0 up and orders
    /// MAX_ORDER down, take dirty chunks from list tails, scrub their PGC_need_scrub pages from first_dirty on,
    /// and move each fully scrubbed chunk to its list head as clean. Stops when the node is clean or after
    /// <paramref name="pageBudget"/> pages were visited (Xen's preemption point: first_dirty then records progress).
    /// Returns true when some node still needs scrubbing. Runs under the heap lock, so it never races an allocator
    /// (Xen's SCRUB_ABORT hand-over is not needed).
    /// </summary>
    public bool ScrubFreePages(int pageBudget = int.MaxValue)
    {
        using (_lock.EnterScope())
        {
            int node = NodeToScrub();
            if (node < 0)
            {
                return false;
            }

            long visited = 0;
            for (int zone = 0; zone < _nrZones; zone++)
            {
                for (int order = _maxOrder; order >= 0; order--)
                {
                    ref var l = ref _lists[ListIndex(node, zone, order)];
                    while (l.Tail != PageList.Nil)
                    {
                        uint head = l.Tail;
                        ref var e = ref _ft.Hot(head);
                        if (e.FirstDirty == _invalidDirty)
                        {
                            break;
                        }

                        uint n = 1u << order, i = e.FirstDirty;
                        ulong dirty = 0;
                        bool preempt = false;
                        for (; i < n; i++)
                        {
                            if (_ft.IsDirty(head + i))
                            {
                                ScrubOnePage(head + i);
                                dirty += _ft.SetDirty(head + i, 1, false);
                            }

                            if (++visited >= pageBudget)
                            {
                                preempt = true;
                                break;
                            }
                        }

                        _nodeNeedScrub[node] -= dirty;
                        if (i >= n - 1)
                        {
                            ListDel(ref l, head, ref e);
                            _ft.ClearFreeHead(head);
                            AddChunk(head, node, zone, order, _invalidDirty);
                        }
                        else
                        {
                            e.FirstDirty = i + 1;
                        }

                        if (preempt || _nodeNeedScrub[node] == 0)
                        {
                            return NodeToScrub() >= 0;
                        }
                    }
                }
            }

            return NodeToScrub() >= 0;
        }
    }

    private int NodeToScrub()
    {
        for (int n = 0; n < _nodes; n++)
        {
            if (_nodeNeedScrub[n] != 0)
            {
                return n;
            }
        }

        return -1;
    }
}

using XenMm.Checkpoint;
using XenMm.Domains;
using XenMm.Frames;

namespace XenMm.Heap;

// The heap's checkpoint: registers and free lists out, and in onto a frame table cleared for it. Taken and restored
// under the heap lock.
public sealed partial class BuddyHeap
{
    internal (HeapRecord Heap, FrameTableRecord Frames) CaptureCheckpoint()
    {
        using (_lock.EnterScope())
        {
            var h = new HeapRecord
            {
                Nodes = _nodes,
                Zones = _nrZones,
                Orders = _orders,
                ListLengths = new uint[_lists.Length],
                Avail = [.. _avail],
                NodeAvail = [.. _nodeAvail],
                NodeNeedScrub = [.. _nodeNeedScrub],
                NodeInitialised = [.. _nodeInitialised.Select(b => b ? (byte)1 : (byte)0)],
                Total = _total,
                OutstandingClaims = _outstandingClaims,
                XenLo = _xenLo,
                XenHi = _xenHi,
            };
            var heads = new List<uint>();
            for (var li = 0; li < _lists.Length; li++)
            {
                var start = heads.Count;
                for (uint i = _lists[li].Head; i != PageList.Nil && heads.Count - start <= _ft.NrIdx; i = _ft.Hot(i).Next)
                {
                    heads.Add(i);
                }

                h.ListLengths[li] = (uint)(heads.Count - start);
            }

            h.Heads = [.. heads];
            h.FirstDirty = new uint[heads.Count];
            h.Flags = new byte[heads.Count];
            h.Scrub = new byte[heads.Count];
            for (var k = 0; k < heads.Count; k++)
            {
                ref var e = ref _ft.Hot(heads[k]);
                h.FirstDirty[k] = e.FirstDirty;
                h.Flags[k] = (byte)(e.Flags & ~HotEntry.FreeHeadFlag);
                h.Scrub[k] = e.ScrubState;
            }

            var f = new FrameTableRecord { NodeRanges = [.. _ft.NodeRanges], AnyDirty = _ft.AnyDirty };
            var dirty = _ft.MaterialisedDirtyBlocks().ToList();
            f.DirtyBlocks = [.. dirty.Select(d => d.Block)];
            f.DirtyWords = [.. dirty.SelectMany(d => d.Words)];
            var cold = _ft.MaterialisedColdBlocks().ToList();
            f.ColdBlocks = [.. cold.Select(c => c.Block)];
            f.CountInfo = [.. cold.SelectMany(c => c.Entries.Select(e => e.CountInfo))];
            f.TypeInfo = [.. cold.SelectMany(c => c.Entries.Select(e => e.TypeInfo))];
            f.Owners = [.. cold.SelectMany(c => c.Entries.Select(e => e.Owner?.Id ?? -1))];
            return (h, f);
        }
    }

    internal void RestoreCheckpoint(HeapRecord h, FrameTableRecord f, IReadOnlyDictionary<int, Domain> domains)
    {
        const string where = "Heap";
        if (h.Nodes != _nodes || h.Zones != _nrZones || h.Orders != _orders)
        {
            throw CheckpointErrors.Corrupt(where, $"{h.Nodes} nodes, {h.Zones} zones, {h.Orders} orders; this heap has {_nodes}, {_nrZones}, {_orders}");
        }

        if (h.XenLo != _xenLo || h.XenHi != _xenHi)
        {
            throw CheckpointErrors.Corrupt(where, $"xenheap range [0x{h.XenLo:x}, 0x{h.XenHi:x}) differs from the booted [0x{_xenLo:x}, 0x{_xenHi:x})");
        }

        using (_lock.EnterScope())
        {
            _ft.ClearForRestore();
            RestoreFrameTable(f, domains);
            var seen = new HashSet<uint>();
            var k = 0;
            for (var li = 0; li < _lists.Length; li++)
            {
                var order = li % _orders;
                var node = li / (_orders * _nrZones);
                ref var l = ref _lists[li];
                l.Head = l.Tail = PageList.Nil;
                for (var n = 0u; n < h.ListLengths[li]; n++, k++)
                {
                    var idx = h.Heads[k];
                    var at = $"free list (node {node}, zone {li / _orders % _nrZones}, order {order}) entry {n}";
                    if (!_ft.IsValidIdx(idx) || (idx & ((1u << order) - 1)) != 0 || (ulong)idx + (1UL << order) > _ft.NrIdx || !seen.Add(idx))
                    {
                        throw CheckpointErrors.Corrupt(where, $"{at}: frame-table index {idx} is invalid, misaligned for its order, or listed twice");
                    }

                    if ((h.Flags[k] & ~HotEntry.NeedTlbflushFlag) != 0 || h.Scrub[k] > (byte)ScrubState.ScrubAbort
                        || (h.FirstDirty[k] != _invalidDirty && h.FirstDirty[k] >= (1u << order)))
                    {
                        throw CheckpointErrors.Corrupt(where, $"{at}: head fields (flags 0x{h.Flags[k]:x}, scrub {h.Scrub[k]}, first_dirty {h.FirstDirty[k]}) are impossible");
                    }

                    ref var e = ref _ft.SetFreeHead(idx, order);
                    e.FirstDirty = h.FirstDirty[k];
                    e.Node = (byte)node;
                    e.ScrubState = h.Scrub[k];
                    e.Flags |= h.Flags[k];
                    ListAddTail(ref l, idx, ref e);
                }
            }

            h.Avail.CopyTo(_avail, 0);
            for (var node = 0; node < _nodes; node++)
            {
                _zoneMask[node] = 0;
                for (var zone = 0; zone < _nrZones; zone++)
                {
                    if (_avail[(node * _nrZones) + zone] != 0)
                    {
                        _zoneMask[node] |= 1UL << zone;
                    }
                }

                _nodeAvail[node] = h.NodeAvail[node];
                _nodeNeedScrub[node] = h.NodeNeedScrub[node];
                _nodeInitialised[node] = h.NodeInitialised[node] != 0;
            }

            _total = h.Total;
            _outstandingClaims = h.OutstandingClaims;
        }
    }

    private void RestoreFrameTable(FrameTableRecord f, IReadOnlyDictionary<int, Domain> domains)
    {
        const string where = "FrameTable";
        foreach (var (s, e, node) in f.NodeRanges)
        {
            if (node >= _nodes || e < s)
            {
                throw CheckpointErrors.Corrupt(where, $"node range [0x{s:x}, 0x{e:x}) on node {node} is backwards or beyond {_nodes} nodes");
            }
        }

        _ft.NodeRanges = f.NodeRanges;
        _ft.AnyDirty = f.AnyDirty;
        var slots = _ft.ColdBlockSlots;
        for (var i = 0; i < f.DirtyBlocks.Length; i++)
        {
            var bi = f.DirtyBlocks[i];
            if (bi < 0 || bi >= slots || (i > 0 && bi <= f.DirtyBlocks[i - 1]))
            {
                throw CheckpointErrors.Corrupt(where, $"need_scrub block {i} (index {bi}) is out of range or out of order");
            }

            _ft.SetDirtyBlock(bi, f.DirtyWords.AsSpan(i * FrameTableRecord.Words, FrameTableRecord.Words).ToArray());
        }

        const int size = FrameTable.BlockSize;
        for (var i = 0; i < f.ColdBlocks.Length; i++)
        {
            var bi = f.ColdBlocks[i];
            if (bi < 0 || bi >= slots || (i > 0 && bi <= f.ColdBlocks[i - 1]))
            {
                throw CheckpointErrors.Corrupt(where, $"page_info block {i} (index {bi}) is out of range or out of order");
            }

            var block = new ColdEntry[size];
            for (var j = 0; j < size; j++)
            {
                var id = f.Owners[(i * size) + j];
                Domain? owner = null;
                if (id != -1 && !domains.TryGetValue(id, out owner))
                {
                    throw CheckpointErrors.Corrupt(where, $"page_info of frame-table index {(bi * size) + j} names domain {id}, which the checkpoint does not have");
                }

                block[j] = FrameTable.MakeCold(f.CountInfo[(i * size) + j], f.TypeInfo[(i * size) + j], owner);
            }

            _ft.SetColdBlock(bi, block);
        }
    }
}

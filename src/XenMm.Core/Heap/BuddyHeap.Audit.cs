using XenMm.Audit;
using XenMm.Domains;
using XenMm.Frames;

namespace XenMm.Heap;

// The heap side of HeapAudit, run under the heap lock.
public sealed partial class BuddyHeap
{
    internal void AuditLocked(List<AuditViolation> v, Domain[] domains)
    {
        var pc = Config.PageCount;
        bool crossZone = Xen44CrossZoneMerges();
        var chunks = new List<(ulong Mfn, uint Idx, int Order, int Node, int Zone)>();
        var zoneSum = new ulong[_avail.Length];
        var nodeSum = new ulong[_nodes];
        ulong dirtyFree = 0;
        for (int node = 0; node < _nodes; node++)
        {
            for (int zone = 0; zone < _nrZones; zone++)
            {
                for (int order = 0; order <= _maxOrder; order++)
                {
                    ref var l = ref _lists[ListIndex(node, zone, order)];
                    uint prev = PageList.Nil;
                    int guard = 0;
                    for (uint i = l.Head; i != PageList.Nil; prev = i, i = _ft.Hot(i).Next)
                    {
                        if (++guard > _ft.NrIdx)
                        {
                            v.Add(new("2 head-and-list", null, $"list node {node} zone {zone} order {order} loops"));
                            break;
                        }

                        ref var e = ref _ft.Hot(i);
                        ulong mfn = _ft.ToMfn(i);
                        var m = new Mfn(mfn);
                        if (e.Prev != prev)
                        {
                            v.Add(new("2 head-and-list", m, $"prev link {e.Prev} should be {prev}"));
                        }

                        if (!_ft.IsFreeHead(i) || e.Order != order)
                        {
                            v.Add(new("2 head-and-list", m, $"on list order {order} but head flag {_ft.IsFreeHead(i)} / PFN_ORDER {e.Order}"));
                        }

                        if ((mfn & ((1UL << order) - 1)) != 0)
                        {
                            v.Add(new("1 chunk-alignment", m, $"order {order} chunk not aligned to {1UL << order} pages"));
                        }

                        int z0 = ZoneOfMfn(mfn), z1 = ZoneOfMfn(mfn + (1UL << order) - 1);
                        if (z0 != zone || z1 != zone)
                        {
                            v.Add(new("5 chunk-zone", m, $"order {order} chunk on zone {zone} list spans zones {z0}..{z1}")
                            {
                                IsQuirk = crossZone && IsXen44ForeignChunk(mfn, order, zone),
                            });
                        }

                        if (mfn == 0 && !_foreignLists)
                        {
                            // Invariant 6 is current Xen's (762b9a2d99, 4.13); Xen 4.4 freed MFN 0 like any page.
                            v.Add(new("6 mfn-0", m, "MFN 0 is in the buddy allocator"));
                        }

                        if (e.Node != node || _ft.NodeOfMfn(mfn) != node)
                        {
                            v.Add(new("21 single-node", m, $"head node {e.Node} / mfn_to_nid {_ft.NodeOfMfn(mfn)} on node {node} list"));
                        }

                        if (e.FirstDirty != _invalidDirty && e.FirstDirty >= (1u << order))
                        {
                            v.Add(new("scrub-accounting", m, $"first_dirty {e.FirstDirty} beyond order {order}"));
                        }

                        for (uint k = 0; k < (1u << order); k++)
                        {
                            if (_ft.IsDirty(i + k))
                            {
                                dirtyFree++;
                                if (e.FirstDirty == _invalidDirty || k < e.FirstDirty)
                                {
                                    v.Add(new("scrub-accounting", new Mfn(mfn + k), $"PGC_need_scrub below first_dirty {e.FirstDirty}"));
                                }
                            }

                            if (_ft.ColdOrDefault(i + k) is { Owner: not null } c)
                            {
                                v.Add(new("13 page-states", new Mfn(mfn + k), $"free page owned by domain {c.Owner.Id}"));
                            }
                        }

                        chunks.Add((mfn, i, order, node, zone));
                        zoneSum[(node * _nrZones) + zone] += 1UL << order;
                        nodeSum[node] += 1UL << order;
                    }

                    if (l.Tail != prev)
                    {
                        v.Add(new("2 head-and-list", null, $"list node {node} zone {zone} order {order} tail {l.Tail} should be {prev}"));
                    }
                }
            }
        }

        for (int a = 0; a < _avail.Length; a++)
        {
            if (_avail[a] != zoneSum[a])
            {
                // [2013] free_heap_pages adds a chunk's pages to the zone of its first page but lists the merged
                // chunk (and alloc_heap_pages its split halves) on that zone's lists, whichever zones the buddies
                // came from: with MFN 0 in the heap, zones 1..MAX_ORDER drift apart from their lists.
                int z = a % _nrZones;
                v.Add(new("3 zone-avail", null, $"avail[node {a / _nrZones}][zone {z}] = {_avail[a]}, chunks hold {zoneSum[a]}")
                {
                    IsQuirk = crossZone && z >= 1 && z <= _maxOrder,
                });
            }
        }

        ulong sum = zoneSum.Aggregate(0UL, (s, x) => s + x);
        if (_total != sum || _nodeAvail.Aggregate(0UL, (s, x) => s + x) != sum)
        {
            v.Add(new("4 total-avail", null, $"total_avail_pages {_total}, node_avail sum {_nodeAvail.Aggregate(0UL, (s, x) => s + x)}, chunks hold {sum}"));
        }

        for (int n = 0; n < _nodes; n++)
        {
            if (_nodeAvail[n] != nodeSum[n])
            {
                v.Add(new("4 total-avail", null, $"node_avail_pages[{n}] = {_nodeAvail[n]}, chunks hold {nodeSum[n]}"));
            }
        }

        if (_nodeNeedScrub.Aggregate(0UL, (s, x) => s + x) != dirtyFree)
        {
            v.Add(new("scrub-accounting", null, $"node_need_scrub sums to {_nodeNeedScrub.Aggregate(0UL, (s, x) => s + x)}, free pages needing scrub {dirtyFree}"));
        }

        // Chunks are disjoint, every free head is listed, and no two free buddies were left unmerged.
        chunks.Sort((x, y) => x.Mfn.CompareTo(y.Mfn));
        for (int c = 1; c < chunks.Count; c++)
        {
            var p = chunks[c - 1];
            if (p.Mfn + (1UL << p.Order) > chunks[c].Mfn)
            {
                v.Add(new("2 head-and-list", new Mfn(chunks[c].Mfn), $"chunk overlaps the order {p.Order} chunk at {new Mfn(p.Mfn)}"));
            }
        }

        if ((ulong)chunks.Count != _ft.CountFreeHeads())
        {
            v.Add(new("2 head-and-list", null, $"{_ft.CountFreeHeads()} pages marked free heads, {chunks.Count} chunks on lists"));
        }

        // The bitmaps the double-free check reads hold exactly the listed chunks: each chunk's bits are set, and no
        // other bit is (the populations match).
        ulong smallPages = 0, coveredGroups = 0;
        foreach (var ch in chunks)
        {
            if (!_ft.BitmapsHoldChunk(ch.Idx, ch.Order))
            {
                v.Add(new("frame-table bitmaps", new Mfn(ch.Mfn), $"order {ch.Order} chunk is not marked free in the {(ch.Order < 6 ? "small-chunk" : "covered")} bitmap"));
            }

            if (ch.Order < 6)
            {
                smallPages += 1UL << ch.Order;
            }
            else
            {
                coveredGroups += 1UL << (ch.Order - 6);
            }
        }

        if (_ft.BitmapPopulation() is var (bitsSmall, bitsCovered) && (bitsSmall != smallPages || bitsCovered != coveredGroups))
        {
            v.Add(new("frame-table bitmaps", null, $"bitmaps mark {bitsSmall} pages in small chunks and {bitsCovered} covered groups; the lists hold {smallPages} and {coveredGroups}"));
        }

        var heads = chunks.ToDictionary(x => x.Idx);
        foreach (var ch in chunks)
        {
            if (ch.Order >= _maxOrder)
            {
                continue;
            }

            uint buddy = ch.Idx ^ (1u << ch.Order);
            if (heads.TryGetValue(buddy, out var b) && b.Order == ch.Order && b.Node == ch.Node && _ft.IsValidIdx(buddy))
            {
                v.Add(new("7 merge-rule", new Mfn(ch.Mfn), $"free buddy {new Mfn(b.Mfn)} of order {ch.Order} was not merged"));
            }
        }

        AuditDomains(v, domains, pc);
    }

    // [2013] Only a heap whose RAM holds MFN 0 has a chunk that spans zones (the one at MFN 0).
    private bool Xen44CrossZoneMerges() => _foreignLists && _ft.IsRamRange(new Mfn(0), 1);

    // [2013] Xen 4.4 (free_heap_pages: no zone check; MFN 0 in the heap) can list a chunk on a zone other than its
    // pages': the chunk at MFN 0 spans zones 1..order+1 and goes to the list of the zone of the page freed last,
    // and alloc_heap_pages leaves the lower halves of such a chunk on that same zone's lists. Every such chunk lies
    // inside the MFN 0 block of order MAX_ORDER, on a list of zone 1..MAX_ORDER, and holds no xenheap page.
    private bool IsXen44ForeignChunk(ulong mfn, int order, int listZone)
    {
        ulong end = mfn + (1UL << order);
        return listZone >= 1 && listZone <= _maxOrder && end <= 1UL << _maxOrder
            && (end <= _xenLo || mfn >= _xenHi);
    }

    private void AuditDomains(List<AuditViolation> v, Domain[] domains, PageCount pc)
    {
        var tot = new Dictionary<Domain, ulong>();
        var extra = new Dictionary<Domain, ulong>();
        foreach (var (idx, c) in _ft.ColdEntries())
        {
            if ((c.CountInfo & pc.StateMask) != pc.StateInuse)
            {
                v.Add(new("13 page-states", new Mfn(_ft.ToMfn(idx)), $"in-use page has count_info state 0x{c.CountInfo & pc.StateMask:x}"));
            }

            if (c.Owner is not { } d)
            {
                continue;
            }

            if ((c.CountInfo & ~pc.Preserved) != (pc.Allocated | 1))
            {
                v.Add(new("14 domain-accounting", new Mfn(_ft.ToMfn(idx)), $"owned page count_info 0x{c.CountInfo:x} is not PGC_allocated | 1"));
            }

            var map = pc.Extra != 0 && (c.CountInfo & pc.Extra) != 0 ? extra : tot;
            map[d] = map.GetValueOrDefault(d) + 1;
        }

        ulong claims = 0;
        foreach (var d in domains)
        {
            claims += d.OutstandingPages;
            if (tot.GetValueOrDefault(d) != d.TotPages || extra.GetValueOrDefault(d) != d.ExtraPages)
            {
                v.Add(new("14 domain-accounting", null, $"domain {d.Id}: tot_pages {d.TotPages} / extra {d.ExtraPages}, owns {tot.GetValueOrDefault(d)} / {extra.GetValueOrDefault(d)}"));
            }

            // tot_pages above max_pages is legal (max_pages may be lowered below it; assign_pages then refuses).
        }

        if (domains.Length != 0 && claims != _outstandingClaims)
        {
            v.Add(new("15 claims", null, $"domain claims sum to {claims}, outstanding_claims is {_outstandingClaims}"));
        }

        if (_outstandingClaims > _total)
        {
            v.Add(new("15 claims", null, $"outstanding_claims {_outstandingClaims} > total_avail_pages {_total}"));
        }
    }
}

using System.Runtime.InteropServices;
using MessagePack;

namespace XenMm.Checkpoint;

// The Heap record: every heap(node, zone, order) list head to tail, with the fields of each head that are not implied
// by its list (first_dirty, the need_tlbflush flag, scrub_state), and the counters.
internal sealed class HeapRecord
{
    public int Nodes;
    public int Zones;
    public int Orders;
    public uint[] ListLengths = [];
    public uint[] Heads = [];
    public uint[] FirstDirty = [];
    public byte[] Flags = [];
    public byte[] Scrub = [];
    public ulong[] Avail = [];
    public ulong[] NodeAvail = [];
    public ulong[] NodeNeedScrub = [];
    public byte[] NodeInitialised = [];
    public ulong Total;
    public ulong OutstandingClaims;
    public ulong XenLo;
    public ulong XenHi;

    public void Write(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(16);
        w.Write(Nodes);
        w.Write(Zones);
        w.Write(Orders);
        w.Write(MemoryMarshal.AsBytes(ListLengths.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(Heads.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(FirstDirty.AsSpan()));
        w.Write(Flags);
        w.Write(Scrub);
        w.Write(MemoryMarshal.AsBytes(Avail.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(NodeAvail.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(NodeNeedScrub.AsSpan()));
        w.Write(NodeInitialised);
        w.Write(Total);
        w.Write(OutstandingClaims);
        w.Write(XenLo);
        w.Write(XenHi);
    }

    public static HeapRecord Read(ref BodyReader r)
    {
        r.Array("heap", 16);
        var h = new HeapRecord
        {
            Nodes = r.Int("node count", 1, 64),
            Zones = r.Int("zone count", 1, 64),
            Orders = r.Int("order count", 2, 26),
        };
        var lists = (long)h.Nodes * h.Zones * h.Orders;
        h.ListLengths = r.Array<uint>("list lengths", lists);
        h.Heads = r.Array<uint>("free heads");
        var heads = h.Heads.Length;
        long sum = 0;
        foreach (var n in h.ListLengths)
        {
            sum += n;
        }

        if (sum != heads)
        {
            throw r.Corrupt($"the lists hold {sum} heads but {heads} are listed");
        }

        h.FirstDirty = r.Array<uint>("first_dirty", heads);
        h.Flags = r.Array<byte>("head flags", heads);
        h.Scrub = r.Array<byte>("scrub states", heads);
        h.Avail = r.Array<ulong>("avail", (long)h.Nodes * h.Zones);
        h.NodeAvail = r.Array<ulong>("node_avail_pages", h.Nodes);
        h.NodeNeedScrub = r.Array<ulong>("node_need_scrub", h.Nodes);
        h.NodeInitialised = r.Array<byte>("node initialised", h.Nodes);
        h.Total = r.U64();
        h.OutstandingClaims = r.U64();
        h.XenLo = r.U64();
        h.XenHi = r.U64();
        r.ExpectEnd();
        return h;
    }
}

// The FrameTable record: node placement, the need_scrub bit blocks and the cold (count_info, type_info, owner) blocks
// that exist. Free heads are in the Heap record.
internal sealed class FrameTableRecord
{
    public const int Words = Frames.FrameTable.BlockSize / 64;

    public (ulong Start, ulong End, byte Node)[] NodeRanges = [];
    public bool AnyDirty;
    public int[] DirtyBlocks = [];
    public ulong[] DirtyWords = [];
    public int[] ColdBlocks = [];
    public ulong[] CountInfo = [];
    public ulong[] TypeInfo = [];
    public int[] Owners = [];

    public void Write(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(8);
        w.WriteArrayHeader(NodeRanges.Length);
        foreach (var (s, e, n) in NodeRanges)
        {
            w.WriteArrayHeader(3);
            w.Write(s);
            w.Write(e);
            w.Write(n);
        }

        w.Write(AnyDirty);
        w.Write(MemoryMarshal.AsBytes(DirtyBlocks.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(DirtyWords.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(ColdBlocks.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(CountInfo.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(TypeInfo.AsSpan()));
        w.Write(MemoryMarshal.AsBytes(Owners.AsSpan()));
    }

    public static FrameTableRecord Read(ref BodyReader r)
    {
        r.Array("frame table", 8);
        var f = new FrameTableRecord();
        var n = r.Array("node ranges");
        f.NodeRanges = new (ulong, ulong, byte)[n];
        for (var i = 0; i < n; i++)
        {
            r.Array("node range", 3);
            f.NodeRanges[i] = (r.U64(), r.U64(), (byte)r.Int("node", 0, 63));
        }

        f.AnyDirty = r.Bool();
        f.DirtyBlocks = r.Array<int>("dirty blocks");
        f.DirtyWords = r.Array<ulong>("dirty words", (long)f.DirtyBlocks.Length * Words);
        f.ColdBlocks = r.Array<int>("cold blocks");
        var entries = (long)f.ColdBlocks.Length * Frames.FrameTable.BlockSize;
        f.CountInfo = r.Array<ulong>("count_info", entries);
        f.TypeInfo = r.Array<ulong>("type_info", entries);
        f.Owners = r.Array<int>("owners", entries);
        r.ExpectEnd();
        return f;
    }
}

namespace XenMm.Heap;

/// <summary>
/// Xen's <c>memflags</c> word (xen/include/xen/mm.h, current bit positions): the <c>MEMF_*</c> bits, the
/// requested node in bits 16..23 (stored as node + 1, so 0 means "any node") and the address-width limit
/// in bits 24 and up.
/// </summary>
/// <param name="Value">The raw flag word.</param>
public readonly record struct MemFlags(uint Value)
{
    private const int NodeShift = 16;
    private const int BitsShift = 24;

    /// <summary>No flags: any node, no address limit, scrub dirty pages.</summary>
    public static readonly MemFlags None = new(0);

    /// <summary>MEMF_no_refcount (bit 0): the pages do not count against the domain's max_pages.</summary>
    public static readonly MemFlags NoRefcount = new(1u << 0);

    /// <summary>MEMF_populate_on_demand (bit 1).</summary>
    public static readonly MemFlags PopulateOnDemand = new(1u << 1);

    /// <summary>MEMF_keep_scrub (bit 2): keep PGC_need_scrub on allocated pages (only with <see cref="NoScrub"/>).</summary>
    public static readonly MemFlags KeepScrub = new(1u << 2);

    /// <summary>MEMF_no_dma (bit 3): avoid the DMA zone.</summary>
    public static readonly MemFlags NoDma = new(1u << 3);

    /// <summary>MEMF_exact_node (bit 4): fail rather than fall back to another node.</summary>
    public static readonly MemFlags ExactNode = new(1u << 4);

    /// <summary>MEMF_no_owner (bit 5): allocate for a domain without assigning the pages (implies no_refcount).</summary>
    public static readonly MemFlags NoOwner = new(1u << 5);

    /// <summary>MEMF_no_tlbflush (bit 6).</summary>
    public static readonly MemFlags NoTlbflush = new(1u << 6);

    /// <summary>MEMF_no_icache_flush (bit 7).</summary>
    public static readonly MemFlags NoIcacheFlush = new(1u << 7);

    /// <summary>MEMF_no_scrub (bit 8): dirty pages may be returned unscrubbed.</summary>
    public static readonly MemFlags NoScrub = new(1u << 8);

    /// <summary>MEMF_node(n): prefer node <paramref name="node"/> (0..254).</summary>
    /// <exception cref="XenMmException">The node is outside 0..254.</exception>
    public static MemFlags Node(int node) =>
        (uint)node < 0xFF
            ? new MemFlags((uint)(node + 1) << NodeShift)
            : throw new XenMmException(MmError.InvalidArgument, $"Node {node} is outside 0..254.");

    /// <summary>MEMF_bits(n): only memory below 2^<paramref name="bits"/> bytes.</summary>
    /// <exception cref="XenMmException">The width is outside 0..255.</exception>
    public static MemFlags Bits(int bits) =>
        (uint)bits <= 0xFF
            ? new MemFlags((uint)bits << BitsShift)
            : throw new XenMmException(MmError.InvalidArgument, $"Address width {bits} is outside 0..255.");

    /// <summary>The requested node, or -1 when none was given (Xen: MEMF_get_node gives NUMA_NO_NODE).</summary>
    public int RequestedNode => (int)((Value >> NodeShift) & 0xFF) - 1;

    /// <summary>The address-width limit in bits, 0 when none was given.</summary>
    public int AddressBits => (int)(Value >> BitsShift);

    /// <summary>True when every bit of <paramref name="flags"/> is set here.</summary>
    public bool Has(MemFlags flags) => (Value & flags.Value) == flags.Value;

    /// <summary>Combines two flag words (Xen: <c>a | b</c>).</summary>
    public static MemFlags operator |(MemFlags left, MemFlags right) => new(left.Value | right.Value);

    /// <summary>Keeps the bits set in both words.</summary>
    public static MemFlags operator &(MemFlags left, MemFlags right) => new(left.Value & right.Value);

    /// <summary>The flags without the bits of <paramref name="flags"/>.</summary>
    public MemFlags Without(MemFlags flags) => new(Value & ~flags.Value);

    /// <inheritdoc />
    public override string ToString() => $"0x{Value:x}";
}

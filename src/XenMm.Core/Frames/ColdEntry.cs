using XenMm.Domains;

namespace XenMm.Frames;

// Per-page fields that only domain accounting and diagnostics use, materialised per block on first write.
internal struct ColdEntry
{
    public ulong CountInfo;
    public ulong TypeInfo;
    public Domain? Owner;
}

namespace XenMm.PageTables;

/// <summary>Reads and replaces the attribute index held in bits 2:0 of a <see cref="PageFlags"/> word.</summary>
public static class PageFlagsExtensions
{
    /// <summary>The attribute index (Xen: <c>PAGE_AI_MASK(flags)</c>).</summary>
    public static MairIndex AttrIndx(this PageFlags flags) => (MairIndex)(flags & PageFlags.AttrIndxMask);

    /// <summary>The same flags with the attribute index replaced by <paramref name="index"/>.</summary>
    public static PageFlags WithAttrIndx(this PageFlags flags, MairIndex index) =>
        (flags & ~PageFlags.AttrIndxMask) | ((PageFlags)index & PageFlags.AttrIndxMask);
}

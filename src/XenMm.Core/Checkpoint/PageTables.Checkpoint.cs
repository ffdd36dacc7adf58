namespace XenMm.PageTables;

// What a checkpoint needs of a table tree: the set of table pages it owns (the tables themselves are in memory).
public sealed partial class PageTables<TFormat>
{
    internal ulong[] OwnedFrames() => [.. _owned.Order()];

    internal void ReplaceOwned(IEnumerable<ulong> frames)
    {
        _owned.Clear();
        _owned.UnionWith(frames);
        _created.Clear();
    }
}

namespace XenMm.PageTables;

// What a checkpoint needs of a table tree: the set of table pages it owns (the tables themselves are in memory);
// TablePages lists the same.
public sealed partial class PageTables<TFormat>
{
    internal ulong[] OwnedFrames() => [.. _owned.Select(t => t.Mfn).Order()];

    internal void ReplaceOwned(IEnumerable<ulong> frames)
    {
        _owned.Clear();
        _owned.AddRange(frames.Distinct().Select(m => (m, 0UL)));
        _updateStart = _owned.Count;
    }
}

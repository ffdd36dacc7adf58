namespace XenMm.PageTables;

// What a checkpoint needs of a table tree: the set of table pages it owns (the tables themselves are in memory);
// TablePages lists the same.
public sealed partial class PageTables<TFormat>
{
    internal ulong[] OwnedFrames() => [.. OwnedInOrder().Order()];

    internal void ReplaceOwned(IEnumerable<ulong> frames)
    {
        // The root is owned without being stored (see OwnedInOrder).
        var distinct = frames.Distinct().Where(m => m != Root.Mfn.Value).ToArray();
        _ownedCount = 0;
        foreach (var m in distinct)
        {
            AddOwned(m, 0);
        }

        _updateStart = _ownedCount;
    }
}

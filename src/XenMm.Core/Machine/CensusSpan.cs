namespace XenMm.Machine;

/// <summary>A run of RAM pages with one use, as the census found it.</summary>
/// <param name="Start">The first page.</param>
/// <param name="Pages">The number of pages.</param>
/// <param name="Use">What they are used for.</param>
public readonly record struct CensusSpan(Mfn Start, ulong Pages, PageUse Use)
{
    /// <summary>One past the last page.</summary>
    public Mfn End => new(Start.Value + Pages);
}

namespace XenMm;

/// <summary>A run of machine frames <c>[Start, Start + Pages)</c>.</summary>
/// <param name="Start">The first frame.</param>
/// <param name="Pages">The number of frames.</param>
public readonly record struct MfnRange(Mfn Start, ulong Pages)
{
    /// <summary>One past the last frame.</summary>
    public Mfn End => new(Start.Value + Pages);

    /// <summary>True when <paramref name="mfn"/> lies in the run.</summary>
    public bool Contains(Mfn mfn) => mfn.Value - Start.Value < Pages;

    /// <summary>The run <c>[start, end)</c>; empty when <paramref name="end"/> is not above <paramref name="start"/>.</summary>
    public static MfnRange FromBounds(Mfn start, Mfn end) => new(start, end > start ? end - start : 0);

    /// <inheritdoc />
    public override string ToString() => $"[{Start}, {End})";
}

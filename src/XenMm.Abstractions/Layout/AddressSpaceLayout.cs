namespace XenMm.Layout;

/// <summary>
/// A validated <see cref="IAddressSpaceLayout"/>: regions are checked at construction (non-empty, page-aligned,
/// inside the VA width, unique names, no overlap) and looked up by name or by address.
/// </summary>
public sealed class AddressSpaceLayout : IAddressSpaceLayout
{
    private readonly LayoutRegion[] _regions;
    private readonly Dictionary<string, LayoutRegion> _byName;

    /// <summary>Builds and validates a layout.</summary>
    /// <param name="name">The layout's short name.</param>
    /// <param name="vaBits">Width of a virtual address (1 to 64).</param>
    /// <param name="regions">The regions, in any order.</param>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidArgument"/> for an empty, unnamed or duplicate region or a bad width,
    /// <see cref="MmError.Misaligned"/> for a region not page-aligned, <see cref="MmError.InvalidAddress"/> for one
    /// beyond the VA width, <see cref="MmError.Overlap"/> when two regions share an address.
    /// </exception>
    public AddressSpaceLayout(string name, int vaBits, IEnumerable<LayoutRegion> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new XenMmException(MmError.InvalidArgument, "A layout needs a name.");
        }

        if (vaBits is < 1 or > 64)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Layout {name}: VA width {vaBits} is outside 1..64.");
        }

        var list = regions.ToArray();
        var top = vaBits == 64 ? ulong.MaxValue : (1UL << vaBits) - 1;
        _byName = new Dictionary<string, LayoutRegion>(StringComparer.Ordinal);
        foreach (var r in list)
        {
            if (r is null || string.IsNullOrWhiteSpace(r.Name))
            {
                throw new XenMmException(MmError.InvalidArgument, $"Layout {name}: a region has no name.");
            }

            if (r.Size == 0)
            {
                throw new XenMmException(MmError.InvalidArgument, $"Layout {name}: region {r.Name} at {r.Start} is empty.");
            }

            if (!r.Start.IsPageAligned || (r.Size & Addressing.PageMask) != 0)
            {
                throw new XenMmException(MmError.Misaligned, $"Layout {name}: region {r.Name} at {r.Start} of size 0x{r.Size:X} is not page-aligned.");
            }

            if (r.Size - 1 > top || r.Start.Value > top - (r.Size - 1))
            {
                throw new XenMmException(MmError.InvalidAddress, $"Layout {name}: region {r.Name} at {r.Start} of size 0x{r.Size:X} goes beyond the {vaBits}-bit VA space.");
            }

            if (!_byName.TryAdd(r.Name, r))
            {
                throw new XenMmException(MmError.InvalidArgument, $"Layout {name}: region name {r.Name} appears twice.");
            }
        }

        Array.Sort(list, (a, b) => a.Start.Value.CompareTo(b.Start.Value));
        for (var i = 1; i < list.Length; i++)
        {
            if (list[i].Start.Value <= list[i - 1].Last.Value)
            {
                throw new XenMmException(MmError.Overlap, $"Layout {name}: region {list[i].Name} at {list[i].Start} overlaps {list[i - 1].Name} [{list[i - 1].Start}, {list[i - 1].Last}].");
            }
        }

        Name = name;
        VaBits = vaBits;
        _regions = list;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int VaBits { get; }

    /// <inheritdoc />
    public IReadOnlyList<LayoutRegion> Regions => _regions;

    /// <inheritdoc />
    public LayoutRegion this[string name] => Find(name)
        ?? throw new XenMmException(MmError.InvalidArgument, $"Layout {Name} has no region named {name}.");

    /// <inheritdoc />
    public LayoutRegion? Find(string name) => name is not null && _byName.TryGetValue(name, out var r) ? r : null;

    /// <inheritdoc />
    public LayoutRegion? RegionOf(VirtAddr va)
    {
        int lo = 0, hi = _regions.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var r = _regions[mid];
            if (va.Value < r.Start.Value)
            {
                hi = mid - 1;
            }
            else if (va.Value > r.Last.Value)
            {
                lo = mid + 1;
            }
            else
            {
                return r;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({_regions.Length} regions)";
}

using XenMm.PageTables;

namespace XenMm.Generators.Tests;

/// <summary>A colour with an int underlying type (allowed: the sign bit is never set from a field).</summary>
public enum ToyColour
{
    Black = 0,
    Red = 1,
    Green = 2,
    Blue = 5,
}

/// <summary>A 32-bit descriptor compiled by the real build (the generator runs as this assembly's analyzer).</summary>
[PageTableEntry(32)]
[Reserved(31, 30)]
public readonly partial struct ToyEntry32
{
    [Bit(0)]
    public partial bool Present { get; }

    [Bits(3, 1)]
    public partial ToyColour Colour { get; }

    [Bits(11, 4)]
    public partial byte Count { get; }

    [Address(29, 12)]
    public partial ulong Frame { get; }
}

/// <summary>A descriptor nested in a class, with every field type and a field reaching bit 63.</summary>
public static partial class Nesting
{
    [PageTableEntry]
    internal partial struct Mixed64
    {
        [Bit(0)]
        public partial bool Valid { get; }

        [Bits(9, 1)]
        public partial ushort Nine { get; }

        [Bits(12, 10)]
        internal partial Shareability Share { get; }

        [Address(47, 13)]
        public partial PhysAddr Base { get; }

        [Bits(63, 48)]
        public partial ulong High { get; }
    }
}

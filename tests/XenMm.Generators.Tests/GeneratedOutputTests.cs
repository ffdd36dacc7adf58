using System.Reflection;
using XenMm.PageTables;

namespace XenMm.Generators.Tests;

/// <summary>The generated members compile and behave, both in-memory and in this assembly's own descriptors.</summary>
public class GeneratedOutputTests
{
    private const string Lpae = """
        using XenMm;
        using XenMm.PageTables;
        namespace Sample;
        [PageTableEntry]
        [Reserved(51, 48)]
        public partial struct Entry
        {
            [Bit(0)] public partial bool Valid { get; }
            [Bit(1)] public partial bool Table { get; }
            [Bits(4, 2)] public partial MairIndex Ai { get; }
            [Bits(9, 8)] public partial Shareability Sh { get; }
            [Address(47, 12)] public partial PhysAddr Base { get; }
            [Bit(54)] public partial bool Xn { get; }
            [Bits(58, 55)] public partial byte Avail { get; }
        }
        """;

    [Fact]
    public void In_memory_output_compiles_and_decodes_a_xen_block()
    {
        var type = GeneratorHarness.Load(Lpae).GetType("Sample.Entry")!;
        var entry = Activator.CreateInstance(type, 0x0040_0000_8000_0F7DUL)!;
        Assert.Equal(true, Get(entry, "Valid"));
        Assert.Equal(false, Get(entry, "Table"));
        Assert.Equal(MairIndex.MT_NORMAL, Get(entry, "Ai"));
        Assert.Equal(Shareability.Inner, Get(entry, "Sh"));
        Assert.Equal(new PhysAddr(0x8000_0000), Get(entry, "Base"));
        Assert.Equal(true, Get(entry, "Xn"));
        Assert.Equal((byte)0, Get(entry, "Avail"));
        Assert.Equal(0x0040_0000_8000_0F7DUL, Get(entry, "Raw"));
        Assert.Equal(
            "Valid=1 Table=0 Ai=MT_NORMAL(7) Sh=Inner(3) Base=0x80000000 Xn=1 Avail=0 [raw 0x0040000080000F7D]",
            entry.ToString());
    }

    [Fact]
    public void In_memory_output_has_masks_shifts_and_with_copies()
    {
        var type = GeneratorHarness.Load(Lpae).GetType("Sample.Entry")!;
        Assert.Equal(0x1CUL, Constant(type, "AiMask"));
        Assert.Equal(2, Constant(type, "AiShift"));
        Assert.Equal(0x0000_FFFF_FFFF_F000UL, Constant(type, "BaseMask"));
        Assert.Equal(0x000F_0000_0000_0000UL, Constant(type, "ReservedBitsMask"));
        var zero = Activator.CreateInstance(type)!;
        var withAvail = Invoke(zero, "WithAvail", (byte)9);
        Assert.Equal(9UL << 55, Get(withAvail, "Raw"));
        var ex = Assert.Throws<TargetInvocationException>(() => Invoke(zero, "WithAvail", (byte)16));
        Assert.IsType<ArgumentOutOfRangeException>(ex.InnerException);
        Assert.Contains("Avail", ex.InnerException!.Message);
        Assert.Contains("16", ex.InnerException.Message);
        Assert.True((bool)Get(Activator.CreateInstance(type, 1UL << 50)!, "HasReservedBitsSet")!);
    }

    [Fact]
    public void In_memory_output_implements_the_entry_contract_and_equality()
    {
        var type = GeneratorHarness.Load(Lpae).GetType("Sample.Entry")!;
        Assert.Contains(type.GetInterfaces(), i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IPageTableEntry<>));
        Assert.Contains(type.GetInterfaces(), i => i == typeof(IEquatable<>).MakeGenericType(type));
        var a = Activator.CreateInstance(type, 5UL)!;
        var b = Activator.CreateInstance(type, 5UL)!;
        Assert.True(a.Equals(b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True((bool)type.GetMethod("op_Equality")!.Invoke(null, [a, b])!);
        Assert.False((bool)type.GetMethod("op_Inequality")!.Invoke(null, [a, b])!);
    }

    [Fact]
    public void A_32_bit_descriptor_stores_a_uint()
    {
        var e = new ToyEntry32(0x4000_0000);
        Assert.IsType<uint>(e.Raw);
        Assert.True(e.HasReservedBitsSet);
        Assert.Equal(0xC000_0000U, ToyEntry32.ReservedBitsMask);
        Assert.Equal(32, ToyEntry32.StorageWidth);
        var toy = default(ToyEntry32).WithPresent(true).WithColour(ToyColour.Blue).WithCount(200).WithFrame(0x3FFF_F000);
        Assert.Equal(0x3FFF_FC8BU, toy.Raw);
        Assert.Equal("Present=1 Colour=Blue(5) Count=200 Frame=0x3FFFF000 [raw 0x3FFFFC8B]", toy.ToString());
        Assert.Equal("Present=0 Colour=7 Count=0 Frame=0x0 [raw 0x0000000E]", new ToyEntry32(0xE).ToString());
    }

    [Fact]
    public void Out_of_range_values_throw_with_field_and_value()
    {
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => default(ToyEntry32).WithColour((ToyColour)(-1)));
        Assert.Contains("Colour", negative.Message);
        Assert.Contains("-1", negative.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => default(ToyEntry32).WithColour((ToyColour)8));
        var frame = Assert.Throws<ArgumentOutOfRangeException>(() => default(ToyEntry32).WithFrame(0x4000_0000));
        Assert.Contains("Frame", frame.Message);
        Assert.Contains("0x40000000", frame.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => default(Nesting.Mixed64).WithNine(512));
        Assert.Throws<ArgumentOutOfRangeException>(() => default(Nesting.Mixed64).WithBase(new PhysAddr(0x1000)));
    }

    [Fact]
    public void Nested_descriptor_reaches_bit_63()
    {
        var e = default(Nesting.Mixed64).WithHigh(0xFFFF).WithBase(new PhysAddr(0x2000)).WithShare(Shareability.Outer);
        Assert.Equal(0xFFFF_0000_0000_2800UL, e.Raw);
        Assert.Equal(0xFFFFUL, e.High);
        Assert.Equal(0xFFFF_0000_0000_0000UL, Nesting.Mixed64.HighMask);
        Assert.Equal(48, Nesting.Mixed64.HighShift);
    }

    [Fact]
    public void Field_table_is_in_declared_order_with_reserved_last()
    {
        Assert.Equal(
            [
                new PteField("Present", 0, 0, PteFieldKind.Flag),
                new PteField("Colour", 3, 1, PteFieldKind.Enum, typeof(ToyColour)),
                new PteField("Count", 11, 4, PteFieldKind.Value),
                new PteField("Frame", 29, 12, PteFieldKind.Address),
                new PteField("Reserved", 31, 30, PteFieldKind.Reserved),
            ],
            ToyEntry32.Fields.ToArray());
    }

    [Fact]
    public void Generic_code_sees_descriptors_through_IPageTableEntry()
    {
        Assert.Equal((0xC000_0000UL, 0x1234UL, 32), Describe<ToyEntry32>(0x1234));
        Assert.Throws<ArgumentOutOfRangeException>(() => Describe<ToyEntry32>(1UL << 32));
        Assert.Equal((0UL, 1UL << 63, 64), Describe<Nesting.Mixed64>(1UL << 63));
    }

    private static (ulong Reserved, ulong Raw, int Width) Describe<T>(ulong raw)
        where T : struct, IPageTableEntry<T> =>
        (T.ReservedBits, T.FromRaw(raw).RawBits, T.StorageWidth);

    private static object? Get(object instance, string property) => instance.GetType().GetProperty(property)!.GetValue(instance);

    private static object Invoke(object instance, string method, object argument) =>
        instance.GetType().GetMethod(method)!.Invoke(instance, [argument])!;

    private static object? Constant(Type type, string name) => type.GetField(name)!.GetValue(null);
}

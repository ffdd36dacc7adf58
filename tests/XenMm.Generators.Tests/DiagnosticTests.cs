using Microsoft.CodeAnalysis;

namespace XenMm.Generators.Tests;

/// <summary>Every XMM diagnostic fires on the mistake it names, and none fires on valid input.</summary>
public class DiagnosticTests
{
    private static string Descriptor(string members, string attributes = "[PageTableEntry]", string declaration = "public partial struct Entry") => $$"""
        using XenMm;
        using XenMm.PageTables;
        {{attributes}}
        {{declaration}}
        {
            {{members}}
        }
        """;

    [Theory]
    [InlineData("XMM1001", "[Bits(4, 2)] public partial byte A { get; } [Bits(5, 4)] public partial byte B { get; }")]
    [InlineData("XMM1001", "[Address(47, 12)] public partial PhysAddr Base { get; } [Bit(40)] public partial bool Inside { get; }")]
    [InlineData("XMM1002", "[Bit(64)] public partial bool Past { get; }")]
    [InlineData("XMM1002", "[Bits(2, 4)] public partial byte Backwards { get; }")]
    [InlineData("XMM1002", "[Bit(-1)] public partial bool Negative { get; }")]
    [InlineData("XMM1003", "[Bits(8, 0)] public partial byte Nine { get; }")]
    [InlineData("XMM1003", "[Bits(3, 0)] public partial int Signed { get; }")]
    [InlineData("XMM1003", "[Bits(3, 0)] public partial PhysAddr NotAnAddressField { get; }")]
    [InlineData("XMM1003", "[Address(47, 12)] public partial ushort Narrow { get; }")]
    [InlineData("XMM1003", "[Address(47, 12)] public partial bool Flag { get; }")]
    [InlineData("XMM1003", "[Bits(9, 0)] public partial Small Big { get; } public enum Small : byte { A }")]
    [InlineData("XMM1003", "[Bits(3, 0)] public partial Signed S { get; } public enum Signed : sbyte { A }")]
    [InlineData("XMM1005", "[Bit(0)] public bool Valid => true;")]
    [InlineData("XMM1006", "[Bits(1, 0)] public partial bool TwoBits { get; }")]
    [InlineData("XMM1007", "[Bit(0)] public partial bool Valid { get; set; }")]
    [InlineData("XMM1007", "[Bit(0)] public static partial bool Valid { get; }")]
    [InlineData("XMM1009", "[Bit(0)] [Bits(2, 1)] public partial byte Both { get; }")]
    public void Field_mistakes_are_reported(string id, string members)
    {
        var (generator, compiler, _) = GeneratorHarness.Run(Descriptor(members));
        var diagnostic = Assert.Single(generator);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.NotEqual(Location.None, diagnostic.Location);
        // The generated part still implements every partial property, so ours is the only error that matters.
        Assert.DoesNotContain(compiler, d => d.Id is "CS9248" or "CS8795");
    }

    [Fact]
    public void Overlap_names_both_fields()
    {
        var (generator, _, _) = GeneratorHarness.Run(Descriptor("[Bits(4, 2)] public partial byte A { get; } [Bits(5, 4)] public partial byte B { get; }"));
        Assert.Equal("'B' (bits 5:4) overlaps 'A' (bits 4:2) in descriptor 'Entry'", Assert.Single(generator).GetMessage());
    }

    [Theory]
    [InlineData("XMM1001", "[PageTableEntry][Reserved(51, 48)]", "[Bit(49)] public partial bool Inside { get; }")]
    [InlineData("XMM1002", "[PageTableEntry(32)][Reserved(40, 32)]", "[Bit(0)] public partial bool Valid { get; }")]
    [InlineData("XMM1002", "[PageTableEntry(32)]", "[Bits(35, 30)] public partial byte Top { get; }")]
    [InlineData("XMM1008", "[PageTableEntry(16)]", "[Bit(0)] public partial bool Valid { get; }")]
    public void Struct_level_mistakes_are_reported(string id, string attributes, string members)
    {
        var (generator, _, _) = GeneratorHarness.Run(Descriptor(members, attributes));
        Assert.Equal(id, Assert.Single(generator).Id);
    }

    [Fact]
    public void Descriptor_inside_a_non_partial_class_is_reported()
    {
        var (generator, _, _) = GeneratorHarness.Run("""
            using XenMm.PageTables;
            public static class Outer
            {
                [PageTableEntry] public partial struct Entry { [Bit(0)] public partial bool Valid { get; } }
            }
            """);
        var diagnostic = Assert.Single(generator);
        Assert.Equal("XMM1010", diagnostic.Id);
        Assert.Equal("'Entry' is declared inside 'Outer', which is not partial; the generated members of 'Entry' need 'partial' on every containing type", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("public partial class Entry")]
    [InlineData("public struct Entry")]
    [InlineData("public partial record struct Entry")]
    public void PageTableEntry_on_something_else_than_a_partial_struct_is_reported(string declaration)
    {
        var (generator, _, _) = GeneratorHarness.Run(Descriptor("", declaration: declaration));
        Assert.Equal("XMM1004", Assert.Single(generator).Id);
    }

    [Theory]
    [InlineData("[Bit(0)] public partial bool Valid { get; }")]
    [InlineData("[Bits(7, 0)] public partial byte Whole { get; } [Bits(15, 8)] public partial ushort Wide { get; }")]
    [InlineData("[Bits(30, 0)] public partial Big B { get; } public enum Big { A = 1 << 30 }")]
    [InlineData("[Bits(63, 0)] public partial ulong All { get; }")]
    [InlineData("[Address(63, 0)] public partial ulong All { get; }")]
    [InlineData("[Bits(0, 0)] public partial bool AlsoAFlag { get; } [Bits(1, 1)] public partial byte OneBitNumber { get; }")]
    [InlineData("")]
    public void Valid_descriptors_raise_nothing(string members)
    {
        var (generator, compiler, _) = GeneratorHarness.Run(Descriptor(members));
        Assert.Empty(generator);
        Assert.Empty(compiler);
    }

    [Fact]
    public void Valid_32_bit_descriptor_with_reserved_ranges_raises_nothing()
    {
        var (generator, compiler, _) = GeneratorHarness.Run(Descriptor(
            "[Bit(0)] public partial bool P { get; } [Address(31, 12)] public partial uint Frame { get; }",
            "[PageTableEntry(32)][Reserved(11, 8)][Reserved(7, 7)]"));
        Assert.Empty(generator);
        Assert.Empty(compiler);
    }
}

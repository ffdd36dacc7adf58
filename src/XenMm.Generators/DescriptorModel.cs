using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace XenMm.Generators
{
    /// <summary>What a field holds; mirrors XenMm.PageTables.PteFieldKind, plus Invalid for a field that failed checks.</summary>
    internal enum FieldKind
    {
        Flag,
        Value,
        Enum,
        Address,
        Reserved,
        Invalid,
    }

    /// <summary>A [PageTableEntry] struct, reduced to what the emitter needs. Equatable, so the pipeline caches.</summary>
    internal sealed record DescriptorModel(
        string? Namespace,
        EquatableArray<ContainingTypeModel> ContainingTypes,
        string Name,
        string HintName,
        int Width,
        EquatableArray<FieldModel> Fields,
        EquatableArray<ReservedRangeModel> Reserved);

    internal sealed record ContainingTypeModel(string Keyword, string Name);

    /// <summary>
    /// One partial property. <paramref name="TypeName"/> is fully qualified; <paramref name="UnderlyingName"/>
    /// is the integer type the value converts through (the enum's underlying type, or the type itself).
    /// For a refused property (<see cref="FieldKind.Invalid"/>), <paramref name="Stub"/> is the accessor list
    /// that implements it anyway, so the diagnostic is the only error.
    /// </summary>
    internal sealed record FieldModel(
        string Name,
        string Accessibility,
        FieldKind Kind,
        int Msb,
        int Lsb,
        string TypeName,
        string UnderlyingName,
        int TypeBits,
        bool IsPhysAddr,
        EquatableArray<EnumMemberModel> EnumMembers,
        string? Stub = null);

    internal sealed record EnumMemberModel(string Name, ulong Value);

    internal sealed record ReservedRangeModel(int Msb, int Lsb);

    /// <summary>A location without a reference to the syntax tree, so it can live in a cached model.</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

        public static LocationInfo? From(Location? location) =>
            location is null || location.SourceTree is null
                ? null
                : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(Descriptor, Location?.ToLocation(), System.Linq.Enumerable.ToArray<object>(Arguments));
    }

    /// <summary>The parse of one [PageTableEntry] declaration: the model (null when nothing can be emitted) and the diagnostics.</summary>
    internal sealed record ParseResult(DescriptorModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
}

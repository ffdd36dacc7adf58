using Microsoft.CodeAnalysis;

namespace XenMm.Generators
{
    /// <summary>Every diagnostic of the descriptor generator. IDs are stable; each is documented in docs/diagnostics.md.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "XenMm.PageTables";

        public static readonly DiagnosticDescriptor OverlappingFields = Create(
            "XMM1001",
            "Descriptor fields overlap",
            "'{0}' (bits {1}) overlaps '{2}' (bits {3}) in descriptor '{4}'");

        public static readonly DiagnosticDescriptor BitsOutsideStorage = Create(
            "XMM1002",
            "Bit range outside the descriptor",
            "'{0}' uses bits {1}, which are not a valid range inside the {2}-bit storage of '{3}' (need 0 <= lsb <= msb < {2})");

        public static readonly DiagnosticDescriptor UnsupportedFieldType = Create(
            "XMM1003",
            "Field type cannot hold the field",
            "'{0}' has type '{1}', which cannot hold a {2} field of {3} bits: {4}");

        public static readonly DiagnosticDescriptor NotPartialStruct = Create(
            "XMM1004",
            "[PageTableEntry] needs a partial struct",
            "'{0}' is marked [PageTableEntry] but is not a 'partial struct' (a class, record or non-partial type cannot receive the generated members)");

        public static readonly DiagnosticDescriptor NonPartialProperty = Create(
            "XMM1005",
            "Field property must be partial",
            "'{0}' carries a field attribute but is not a partial property; declare it 'public partial {1} {0} {{ get; }}'");

        public static readonly DiagnosticDescriptor BoolOnMultipleBits = Create(
            "XMM1006",
            "A bool field spans more than one bit",
            "'{0}' is a bool but spans bits {1}; use [Bit(n)] for a flag, or an unsigned integer or enum type for a multi-bit field");

        public static readonly DiagnosticDescriptor NotGetOnlyInstanceProperty = Create(
            "XMM1007",
            "Field property must be a get-only instance property",
            "'{0}' must be an instance property with only a getter ('{{ get; }}'); descriptors are immutable, use the generated With{0} to change a field");

        public static readonly DiagnosticDescriptor InvalidStorageWidth = Create(
            "XMM1008",
            "Storage width must be 32 or 64",
            "[PageTableEntry({0})] on '{1}': the storage width must be 32 or 64");

        public static readonly DiagnosticDescriptor SeveralFieldAttributes = Create(
            "XMM1009",
            "Property carries more than one field attribute",
            "'{0}' carries more than one of [Bit], [Bits] and [Address]; keep exactly one");

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Create(
            "XMM1010",
            "A descriptor's containing type must be partial",
            "'{0}' is declared inside '{1}', which is not partial; the generated members of '{0}' need 'partial' on every containing type");

        private static DiagnosticDescriptor Create(string id, string title, string message) =>
            new DiagnosticDescriptor(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace XenMm.Generators
{
    /// <summary>Turns a [PageTableEntry] declaration into a <see cref="DescriptorModel"/> and its diagnostics.</summary>
    internal static class DescriptorParser
    {
        public const string PageTableEntryAttribute = "XenMm.PageTables.PageTableEntryAttribute";
        private const string BitAttribute = "XenMm.PageTables.BitAttribute";
        private const string BitsAttribute = "XenMm.PageTables.BitsAttribute";
        private const string AddressAttribute = "XenMm.PageTables.AddressAttribute";
        private const string ReservedAttribute = "XenMm.PageTables.ReservedAttribute";
        private const string PhysAddr = "XenMm.PhysAddr";

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var syntax = (TypeDeclarationSyntax)context.TargetNode;
            var diagnostics = new List<DiagnosticInfo>();

            if (type.TypeKind != TypeKind.Struct || type.IsRecord || !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Report(diagnostics, DiagnosticDescriptors.NotPartialStruct, syntax.Identifier.GetLocation(), type.Name);
                return new ParseResult(null, diagnostics.ToEquatableArray());
            }

            foreach (var outer in syntax.Ancestors().OfType<TypeDeclarationSyntax>())
            {
                if (!outer.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    Report(diagnostics, DiagnosticDescriptors.ContainingTypeNotPartial, outer.Identifier.GetLocation(), type.Name, outer.Identifier.ValueText);
                    return new ParseResult(null, diagnostics.ToEquatableArray());
                }
            }

            var entryAttribute = context.Attributes[0];
            var width = entryAttribute.ConstructorArguments.Length == 1 && entryAttribute.ConstructorArguments[0].Value is int w ? w : 64;
            if (width != 32 && width != 64)
            {
                Report(diagnostics, DiagnosticDescriptors.InvalidStorageWidth, AttributeLocation(entryAttribute, syntax), width.ToString(), type.Name);
                return new ParseResult(null, diagnostics.ToEquatableArray());
            }

            var fields = new List<FieldModel>();
            var placed = new List<(string Name, int Msb, int Lsb, Location? Location)>();
            foreach (var property in type.GetMembers().OfType<IPropertySymbol>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var field = ParseProperty(property, type.Name, width, diagnostics, out var location);
                if (field is null)
                {
                    continue;
                }

                fields.Add(field);
                if (field.Kind != FieldKind.Invalid)
                {
                    CheckOverlap(placed, field.Name, field.Msb, field.Lsb, location, type.Name, diagnostics);
                }
            }

            var reserved = new List<ReservedRangeModel>();
            foreach (var attribute in type.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == ReservedAttribute))
            {
                if (!TryGetRange(attribute, out var msb, out var lsb))
                {
                    continue;
                }

                var location = AttributeLocation(attribute, syntax);
                if (!CheckRange("Reserved", msb, lsb, width, type.Name, location, diagnostics))
                {
                    continue;
                }

                reserved.Add(new ReservedRangeModel(msb, lsb));
                CheckOverlap(placed, "Reserved", msb, lsb, location, type.Name, diagnostics);
            }

            var model = new DescriptorModel(
                type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
                ContainingTypes(type),
                syntax.Identifier.ValueText + (syntax.TypeParameterList?.ToString() ?? string.Empty),
                HintName(type),
                width,
                fields.ToEquatableArray(),
                reserved.ToEquatableArray());
            return new ParseResult(model, diagnostics.ToEquatableArray());
        }

        private static FieldModel? ParseProperty(IPropertySymbol property, string typeName, int width, List<DiagnosticInfo> diagnostics, out Location? location)
        {
            var attributes = property.GetAttributes()
                .Where(a => a.AttributeClass?.ToDisplayString() is BitAttribute or BitsAttribute or AddressAttribute)
                .ToList();
            location = property.Locations.FirstOrDefault();
            if (attributes.Count == 0)
            {
                return null;
            }

            var propertyType = property.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (!property.IsPartialDefinition)
            {
                // Only a partial property can receive the generated getter.
                Report(diagnostics, DiagnosticDescriptors.NonPartialProperty, location, property.Name, property.Type.ToDisplayString());
                return null;
            }

            var invalid = new FieldModel(
                property.Name,
                Accessibility(property) + (property.IsStatic ? " static" : string.Empty),
                FieldKind.Invalid, 0, 0, propertyType, propertyType, 0, false, EquatableArray<EnumMemberModel>.Empty,
                (property.GetMethod is null ? string.Empty : "get => default!; ") +
                (property.SetMethod is null ? string.Empty : property.SetMethod.IsInitOnly ? "init { } " : "set { } "));
            if (attributes.Count > 1)
            {
                Report(diagnostics, DiagnosticDescriptors.SeveralFieldAttributes, location, property.Name);
                return invalid;
            }

            if (property.IsStatic || property.SetMethod is not null || property.GetMethod is null)
            {
                Report(diagnostics, DiagnosticDescriptors.NotGetOnlyInstanceProperty, location, property.Name);
                return invalid;
            }

            var attribute = attributes[0];
            var attributeName = attribute.AttributeClass!.ToDisplayString();
            if (!TryGetRange(attribute, out var msb, out var lsb) ||
                !CheckRange(property.Name, msb, lsb, width, typeName, location, diagnostics))
            {
                return invalid;
            }

            var isAddress = attributeName == AddressAttribute;
            var bits = msb - lsb + 1;
            var fieldWord = isAddress ? "address" : bits == 1 ? "one-bit" : "multi-bit";
            var type = property.Type;
            FieldKind kind;
            string underlying = propertyType;
            int typeBits;
            var isPhysAddr = false;
            var members = EquatableArray<EnumMemberModel>.Empty;

            if (type.SpecialType == SpecialType.System_Boolean && !isAddress)
            {
                if (bits != 1)
                {
                    Report(diagnostics, DiagnosticDescriptors.BoolOnMultipleBits, location, property.Name, Range(msb, lsb));
                    return invalid;
                }

                return new FieldModel(property.Name, Accessibility(property), FieldKind.Flag, msb, lsb, propertyType, propertyType, 1, false, members);
            }

            if (isAddress && type.ToDisplayString() == PhysAddr)
            {
                kind = FieldKind.Address;
                typeBits = 64;
                isPhysAddr = true;
            }
            else if (type.TypeKind == TypeKind.Enum && !isAddress && type is INamedTypeSymbol { EnumUnderlyingType: { } enumUnderlying } enumType)
            {
                kind = FieldKind.Enum;
                typeBits = UnsignedBits(enumUnderlying.SpecialType, allowInt: true);
                underlying = enumUnderlying.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                members = EnumMembers(enumType);
            }
            else
            {
                kind = isAddress ? FieldKind.Address : FieldKind.Value;
                typeBits = UnsignedBits(type.SpecialType, allowInt: false);
                if (isAddress && typeBits < 32)
                {
                    typeBits = 0;
                }
            }

            if (typeBits == 0)
            {
                Report(diagnostics, DiagnosticDescriptors.UnsupportedFieldType, location, property.Name, type.ToDisplayString(), fieldWord, bits.ToString(),
                    isAddress ? "an address field must be PhysAddr or ulong" : "use bool, byte, ushort, uint, ulong or an enum whose underlying type is unsigned or int");
                return invalid;
            }

            var needed = isAddress ? msb + 1 : bits;
            if (needed > typeBits)
            {
                Report(diagnostics, DiagnosticDescriptors.UnsupportedFieldType, location, property.Name, type.ToDisplayString(), fieldWord, bits.ToString(),
                    $"it holds only {typeBits} bits; use a wider type");
                return invalid;
            }

            return new FieldModel(property.Name, Accessibility(property), kind, msb, lsb, propertyType, underlying, typeBits, isPhysAddr, members);
        }

        private static int UnsignedBits(SpecialType type, bool allowInt) => type switch
        {
            SpecialType.System_Byte => 8,
            SpecialType.System_UInt16 => 16,
            SpecialType.System_UInt32 => 32,
            SpecialType.System_UInt64 => 64,
            SpecialType.System_Int32 when allowInt => 31, // the sign bit is never set from a field
            _ => 0,
        };

        private static EquatableArray<EnumMemberModel> EnumMembers(INamedTypeSymbol enumType)
        {
            var seen = new HashSet<ulong>();
            var members = new List<EnumMemberModel>();
            foreach (var member in enumType.GetMembers().OfType<IFieldSymbol>())
            {
                if (!member.HasConstantValue || member.ConstantValue is null)
                {
                    continue;
                }

                var value = member.ConstantValue is int i ? (i < 0 ? (ulong?)null : (ulong)i) : System.Convert.ToUInt64(member.ConstantValue);
                if (value is { } v && seen.Add(v))
                {
                    members.Add(new EnumMemberModel(member.Name, v));
                }
            }

            return members.ToEquatableArray();
        }

        private static bool TryGetRange(AttributeData attribute, out int msb, out int lsb)
        {
            var args = attribute.ConstructorArguments;
            msb = lsb = 0;
            if (args.Length == 1 && args[0].Value is int bit)
            {
                msb = lsb = bit;
                return true;
            }

            if (args.Length == 2 && args[0].Value is int m && args[1].Value is int l)
            {
                msb = m;
                lsb = l;
                return true;
            }

            return false;
        }

        private static bool CheckRange(string name, int msb, int lsb, int width, string typeName, Location? location, List<DiagnosticInfo> diagnostics)
        {
            if (lsb >= 0 && msb >= lsb && msb < width)
            {
                return true;
            }

            Report(diagnostics, DiagnosticDescriptors.BitsOutsideStorage, location, name, Range(msb, lsb), width.ToString(), typeName);
            return false;
        }

        private static void CheckOverlap(List<(string Name, int Msb, int Lsb, Location? Location)> placed, string name, int msb, int lsb, Location? location, string typeName, List<DiagnosticInfo> diagnostics)
        {
            foreach (var other in placed)
            {
                if (lsb <= other.Msb && other.Lsb <= msb)
                {
                    Report(diagnostics, DiagnosticDescriptors.OverlappingFields, location, name, Range(msb, lsb), other.Name, Range(other.Msb, other.Lsb), typeName);
                    break;
                }
            }

            placed.Add((name, msb, lsb, location));
        }

        private static string Range(int msb, int lsb) => msb == lsb ? msb.ToString() : $"{msb}:{lsb}";

        private static Location? AttributeLocation(AttributeData attribute, SyntaxNode fallback) =>
            attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? fallback.GetLocation();

        private static string Accessibility(IPropertySymbol property) => property.DeclaredAccessibility switch
        {
            Microsoft.CodeAnalysis.Accessibility.Public => "public",
            Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
            Microsoft.CodeAnalysis.Accessibility.Private => "private",
            Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
            Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
            Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
            _ => "private",
        };

        private static EquatableArray<ContainingTypeModel> ContainingTypes(INamedTypeSymbol type)
        {
            var chain = new List<ContainingTypeModel>();
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                var keyword = outer.TypeKind switch
                {
                    TypeKind.Struct when outer.IsRecord => "record struct",
                    TypeKind.Struct => "struct",
                    TypeKind.Interface => "interface",
                    _ when outer.IsRecord => "record",
                    _ => "class",
                };
                var name = outer.Name + (outer.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", outer.TypeParameters.Select(p => p.Name)) + ">");
                chain.Insert(0, new ContainingTypeModel(keyword, name));
            }

            return chain.ToEquatableArray();
        }

        private static string HintName(INamedTypeSymbol type) =>
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
                .Replace("global::", string.Empty)
                .Replace('<', '{')
                .Replace('>', '}') + ".g.cs";

        private static void Report(List<DiagnosticInfo> diagnostics, DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
            diagnostics.Add(new DiagnosticInfo(descriptor, LocationInfo.From(location), arguments.ToEquatableArray()));
    }
}

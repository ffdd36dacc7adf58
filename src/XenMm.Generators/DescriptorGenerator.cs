using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace XenMm.Generators
{
    /// <summary>
    /// Generates bit-field accessors for every <c>[PageTableEntry] partial struct</c>: parse into an equatable
    /// <see cref="DescriptorModel"/> (<see cref="DescriptorParser"/>), then emit from it (<see cref="DescriptorEmitter"/>).
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class DescriptorGenerator : IIncrementalGenerator
    {
        /// <summary>The tracking name of the parse step (used by the caching test).</summary>
        public const string ParseStep = "ParseDescriptor";

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var descriptors = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    DescriptorParser.PageTableEntryAttribute,
                    static (node, _) => node is TypeDeclarationSyntax,
                    DescriptorParser.Parse)
                .WithTrackingName(ParseStep);

            context.RegisterSourceOutput(descriptors, static (spc, result) =>
            {
                foreach (var diagnostic in result.Diagnostics)
                {
                    spc.ReportDiagnostic(diagnostic.ToDiagnostic());
                }

                if (result.Model is { } model)
                {
                    spc.AddSource(model.HintName, DescriptorEmitter.Emit(model));
                }
            });
        }
    }
}

using System.Collections.Immutable;
using System.Reflection;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace XenMm.Generators.Tests;

/// <summary>Runs <see cref="DescriptorGenerator"/> over source text with the Roslyn driver (toolchain recipe (a)).</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly MetadataReference[] References =
        [.. Net100.References.All, MetadataReference.CreateFromFile(typeof(PhysAddr).Assembly.Location)];

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "Descriptors" + Guid.NewGuid().ToString("N"),
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new DescriptorGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>The generator's own diagnostics and the errors of the compilation with the generated code.</summary>
    public static (ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Compiler, Compilation Output) Run(params string[] sources)
    {
        CreateDriver().RunGeneratorsAndUpdateCompilation(Compile(sources), out var output, out var diagnostics);
        var errors = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
        return (diagnostics, errors, output);
    }

    /// <summary>Compiles the sources with the generated code and loads the result; fails on any diagnostic.</summary>
    public static Assembly Load(params string[] sources)
    {
        var (generator, compiler, output) = Run(sources);
        Assert.Empty(generator);
        Assert.Empty(compiler);
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        return Assembly.Load(image.ToArray());
    }
}

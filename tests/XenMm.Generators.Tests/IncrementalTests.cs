using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace XenMm.Generators.Tests;

/// <summary>The pipeline caches: an edit that does not change a descriptor re-emits nothing.</summary>
public class IncrementalTests
{
    private const string Descriptor = """
        using XenMm;
        using XenMm.PageTables;
        [PageTableEntry]
        [Reserved(51, 48)]
        public partial struct Entry
        {
            [Bit(0)] public partial bool Valid { get; }
            [Bits(4, 2)] public partial MairIndex Ai { get; }
            [Address(47, 12)] public partial PhysAddr Base { get; }
        }
        """;

    [Fact]
    public void Unrelated_edit_leaves_outputs_cached()
    {
        var compilation = GeneratorHarness.Compile(Descriptor, "public class Unrelated { }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("public class Unrelated { public int Added; }", GeneratorHarness.ParseOptions, path: "Source1.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var parse = result.TrackedSteps[DescriptorGenerator.ParseStep].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(parse);
        Assert.All(parse, o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        var outputs = result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
    }

    [Fact]
    public void Trivia_only_edit_of_the_descriptor_file_re_parses_but_emits_nothing_new()
    {
        var compilation = GeneratorHarness.Compile(Descriptor);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(Descriptor + "\n// a trailing comment\n", GeneratorHarness.ParseOptions, path: "Source0.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var outputs = result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).ToList();
        Assert.All(outputs, o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
    }

    [Fact]
    public void Changing_a_field_re_emits()
    {
        var compilation = GeneratorHarness.Compile(Descriptor);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(Descriptor.Replace("Bit(0)", "Bit(1)"), GeneratorHarness.ParseOptions, path: "Source0.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var outputs = result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).ToList();
        Assert.Contains(outputs, o => o.Reason == IncrementalStepRunReason.Modified);
    }
}

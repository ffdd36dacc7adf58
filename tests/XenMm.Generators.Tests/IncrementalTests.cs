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
        var result = RunTwice([Descriptor, "public class Unrelated { }"], 1, "public class Unrelated { public int Added; }");

        var parse = result.TrackedSteps[DescriptorGenerator.ParseStep].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(parse);
        Assert.All(parse, o => Assert.Contains(o.Reason, Reused));
        var outputs = Outputs(result);
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Contains(o.Reason, Reused));
    }

    [Fact]
    public void Trivia_only_edit_of_the_descriptor_file_re_parses_but_emits_nothing_new()
    {
        var result = RunTwice([Descriptor], 0, Descriptor + "\n// a trailing comment\n");
        Assert.All(Outputs(result), o => Assert.Contains(o.Reason, Reused));
    }

    [Fact]
    public void Changing_a_field_re_emits()
    {
        var result = RunTwice([Descriptor], 0, Descriptor.Replace("Bit(0)", "Bit(1)"));
        Assert.Contains(Outputs(result), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    private static readonly IncrementalStepRunReason[] Reused = [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged];

    /// <summary>Runs the generator, replaces source <paramref name="edited"/> with <paramref name="newText"/>, runs it again.</summary>
    private static GeneratorRunResult RunTwice(string[] sources, int edited, string newText)
    {
        var compilation = GeneratorHarness.Compile(sources);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var next = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.ElementAt(edited),
            CSharpSyntaxTree.ParseText(newText, GeneratorHarness.ParseOptions, path: $"Source{edited}.cs"));
        return driver.RunGenerators(next).GetRunResult().Results.Single();
    }

    private static List<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result) =>
        result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).ToList();
}

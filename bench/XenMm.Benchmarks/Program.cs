using BenchmarkDotNet.Running;

namespace XenMm.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet's switcher over every suite in this assembly.</summary>
public static class Program
{
    /// <summary>Runs the suites selected by <paramref name="args"/> (e.g. <c>--filter '*Heap*'</c>).</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

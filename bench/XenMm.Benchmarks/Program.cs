using BenchmarkDotNet.Running;

namespace XenMm.Benchmarks;

/// <summary>Runs the BenchmarkDotNet suites of this assembly chosen on the command line.</summary>
public static class Program
{
    /// <summary>Entry point: <c>dotnet run -c Release -- --filter '*'</c>.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

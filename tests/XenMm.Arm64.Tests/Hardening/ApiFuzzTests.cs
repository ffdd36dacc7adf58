using Xunit.Abstractions;

namespace XenMm.Arm64.Tests.Hardening;

/// <summary>
/// Stateful fuzz of the public API (heap, domains, claims, xenheap, tables, vmap) with a large share of bad and edge
/// inputs. After every call: a refusal is a <see cref="XenMmException"/> with the state snapshot unchanged (heap,
/// frame table, domain accounting, RAM bytes, table pages, vmap registers); an accepted call leaves every audit
/// clean and every page accounted for. CI runs <see cref="CiCalls"/> calls over fixed seeds; set XENMM_FUZZ_CALLS
/// (and optionally XENMM_FUZZ_SEED) for a longer run. A break prints the seed and a shrunk reproducer.
/// </summary>
public class ApiFuzzTests(ITestOutputHelper output)
{
    // 40 seeds of 5,000 calls: 43 s of Debug test time on the 2-core dev machine when idle, 58 s at load 6 (one snapshot per call,
    // audits only when their inputs changed: about 0.45 ms of CPU a call, half of it the snapshot's heap and RAM hashes).
    private const int CiCalls = 200_000;
    private const int CallsPerSeed = 5_000;

    [Fact]
    public void Refusals_change_nothing_and_accepted_calls_keep_every_audit_clean()
    {
        var total = int.TryParse(Environment.GetEnvironmentVariable("XENMM_FUZZ_CALLS"), out var n) ? n : CiCalls;
        var firstSeed = int.TryParse(Environment.GetEnvironmentVariable("XENMM_FUZZ_SEED"), out var s) ? s : 1;
        var seeds = Math.Max(1, total / CallsPerSeed);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(firstSeed, firstSeed + seeds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, (seed, state) =>
        {
            var profile = seed % 4 == 0 ? XenProfile.Xen2013 : XenProfile.Current;
            if (RunSeed(seed, profile) is { } failure)
            {
                failures.Add(failure);
                state.Stop();
            }
        });

        foreach (var f in failures)
        {
            output.WriteLine(f);
        }

        Assert.True(failures.IsEmpty, string.Join("\n\n", failures));
    }

    private static string? RunSeed(int seed, XenProfile profile)
    {
        var machine = new FuzzMachine(profile: profile);
        var generator = new CallGenerator(seed);
        var calls = new List<Call>(CallsPerSeed);
        for (var i = 0; i < CallsPerSeed; i++)
        {
            var call = generator.Next(machine);
            calls.Add(call);
            if (ApiFuzz.Check(machine, call) is { } message)
            {
                var shrunk = ApiFuzz.Shrink(calls, profile);
                var last = ApiFuzz.Run(shrunk, profile);
                return $"seed {seed} ({profile}), call {i}: {message}\nreproducer ({shrunk.Count} calls on FuzzMachine; last: {last?.Message}):\n  "
                    + string.Join("\n  ", shrunk);
            }
        }

        return null;
    }
}

using System.Diagnostics;

namespace XenMm.Core.Tests;

/// <summary>
/// heap_lock and xen_pt_lock: mutual exclusion whichever threads take them, biased to the building thread until
/// another thread asks, and not re-entrant, as Xen's spinlocks are not.
/// </summary>
public sealed class XenSpinlockTests
{
#if DEBUG
    [Fact]
    public void Taking_the_lock_again_on_the_holding_thread_throws_in_a_debug_build()
    {
        var spinlock = new XenSpinlock();
        using (spinlock.EnterScope())
        {
            Assert.Throws<UnreachableException>(() => { using var again = spinlock.EnterScope(); });
        }

        using (spinlock.EnterScope())
        {
            // Released and taken again: fine.
        }
    }
#endif

    [Fact]
    public void No_field_holds_the_lock_readonly()
    {
        // A method call on a readonly struct field works on a defensive copy: each caller would take its own lock.
        var fields = typeof(XenSpinlock).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly))
            .Where(f => f.FieldType == typeof(XenSpinlock))
            .ToList();

        Assert.Contains(fields, f => f.DeclaringType == typeof(XenMm.Heap.BuddyHeap));
        Assert.All(fields, f => Assert.False(f.IsInitOnly, $"{f.DeclaringType}.{f.Name} is readonly"));
    }

    [Fact]
    public void Stays_biased_while_only_the_building_thread_takes_it()
    {
        var spinlock = new XenSpinlock();
        for (int i = 0; i < 1000; i++)
        {
            using (spinlock.EnterScope())
            {
            }
        }

        Assert.True(spinlock.IsBiased);
    }

    [Fact]
    public void Another_thread_revokes_the_bias_and_waits_for_the_holder()
    {
        var spinlock = new XenSpinlock();
        int entered = 0;
        Thread other;
        using (spinlock.EnterScope())
        {
            other = new Thread(() =>
            {
                using (spinlock.EnterScope())
                {
                    Volatile.Write(ref entered, 1);
                }
            });
            other.Start();
            // The other thread has revoked the bias and now waits for this one: it must not be inside.
            var deadline = Stopwatch.StartNew();
            while (spinlock.IsBiased && deadline.ElapsedMilliseconds < 10_000)
            {
                Thread.Yield();
            }

            Assert.False(spinlock.IsBiased);
            Thread.Sleep(50);
            Assert.Equal(0, Volatile.Read(ref entered));
        }

        Assert.True(other.Join(10_000));
        Assert.Equal(1, entered);
        using (spinlock.EnterScope())
        {
            // The building thread takes it again, now through the compare-exchange.
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Increments_under_the_lock_are_never_lost_while_the_bias_is_revoked(int others)
    {
        // The building thread is already counting when the others start: revocation happens mid-stream.
        for (int round = 0; round < 5; round++)
        {
            var spinlock = new XenSpinlock();
            var counter = new long[1];
            const int perThread = 200_000;
            using var go = new ManualResetEventSlim();
            var threads = Enumerable.Range(0, others).Select(_ => new Thread(() =>
            {
                go.Wait();
                Count(ref spinlock, counter, perThread);
            })).ToArray();
            foreach (var t in threads)
            {
                t.Start();
            }

            Count(ref spinlock, counter, perThread / 2);
            go.Set();
            Count(ref spinlock, counter, perThread / 2);
            foreach (var t in threads)
            {
                Assert.True(t.Join(60_000));
            }

            Assert.Equal((long)perThread * (others + 1), counter[0]);
            Assert.False(spinlock.IsBiased);
        }
    }

    // A read, a pause and a write: two holders at once would lose increments.
    private static void Count(ref XenSpinlock spinlock, long[] counter, int times)
    {
        for (int i = 0; i < times; i++)
        {
            using (spinlock.EnterScope())
            {
                long v = counter[0];
                if ((i & 255) == 0)
                {
                    Thread.SpinWait(20);
                }

                counter[0] = v + 1;
            }
        }
    }
}

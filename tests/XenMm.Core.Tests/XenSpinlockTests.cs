#if DEBUG
using System.Diagnostics;

namespace XenMm.Core.Tests;

/// <summary>heap_lock and xen_pt_lock are not re-entrant, as Xen's spinlocks are not; a debug build says so instead of spinning forever.</summary>
public sealed class XenSpinlockTests
{
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
}
#endif

using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace XenMm;

// Xen's spinlock_t, as heap_lock and xen_pt_lock use it: one compare-exchange to take, one store to release, which is
// cheaper uncontended than a monitor (no owner thread to look up). Not re-entrant, as Xen's is not: a path that
// needs the lock's work while holding it calls the "Locked" variant. Debug builds record the owner and throw on
// re-entry, so a test finds such a path instead of spinning forever. Contended waiters spin, then yield.
internal sealed class XenSpinlock
{
    private int _taken;
#if DEBUG
    private int _owner;
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Scope EnterScope()
    {
#if DEBUG
        if (Volatile.Read(ref _owner) == Environment.CurrentManagedThreadId)
        {
            throw new UnreachableException("A XenSpinlock was taken again by the thread that holds it.");
        }
#endif
        if (Interlocked.CompareExchange(ref _taken, 1, 0) != 0)
        {
            EnterSlow();
        }

#if DEBUG
        _owner = Environment.CurrentManagedThreadId;
#endif
        return new Scope(this);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterSlow()
    {
        var spin = default(SpinWait);
        while (Volatile.Read(ref _taken) != 0 || Interlocked.CompareExchange(ref _taken, 1, 0) != 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    internal readonly ref struct Scope
    {
        private readonly XenSpinlock _owner;

        public Scope(XenSpinlock owner) => _owner = owner;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Dispose()
        {
#if DEBUG
            _owner._owner = 0;
#endif
            Volatile.Write(ref _owner._taken, 0);
        }
    }
}

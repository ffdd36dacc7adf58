using System.Runtime.CompilerServices;

namespace XenMm.Heap;

// Xen's heap_lock: a plain spinlock (one CAS to take, one store to release), which is what the hypervisor
// uses and is cheaper uncontended than a monitor. Not re-entrant. Contended waiters spin, then yield.
internal sealed class HeapLock
{
    private int _taken;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Scope EnterScope()
    {
        if (Interlocked.CompareExchange(ref _taken, 1, 0) != 0)
        {
            EnterSlow();
        }

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
        private readonly HeapLock _owner;

        public Scope(HeapLock owner) => _owner = owner;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Dispose() => Volatile.Write(ref _owner._taken, 0);
    }
}

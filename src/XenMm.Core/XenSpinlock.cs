using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace XenMm;

// Xen's spinlock_t, as heap_lock and xen_pt_lock use it. Not re-entrant, as Xen's is not: a path that needs the lock's
// work while holding it calls the "Locked" variant. Debug builds record the owner and throw on re-entry, so a test
// finds such a path instead of spinning forever. Contended waiters spin, then yield.
//
// Biased to the thread that built it. A machine is nearly always driven by one thread, and there a compare-exchange
// per operation is the largest cost left in an alloc/free (on x86 it is a full barrier: about 8% of a W1 operation).
// So the building thread takes the lock with two plain memory operations: it says it is inside (_biasHeld), then
// checks that no other thread has asked for the lock (_bias still Biased). The first other thread to ask revokes the
// bias for good: it marks the bias Revoking, issues a process-wide barrier (Interlocked.MemoryBarrierProcessWide:
// every CPU running this process executes a full fence), then waits until the building thread is out. The barrier
// stands in for the fence the building thread does not execute: either that thread's "inside" store is visible to the
// revoker, or its following check sees Revoking and it steps back out. From then on every thread, the building one
// included, takes the compare-exchange lock (_taken), as an unbiased spinlock does.
//
// A struct inside its owner (a heap, a table tree: a tree is cheap to create, and an object more costs as much as
// the lock itself). Never copy one and never hold one in a readonly field: a copy, or the defensive copy the compiler
// makes to call a method on a readonly struct field, is a second lock. default(XenSpinlock) is a working lock biased
// to no thread.
internal struct XenSpinlock
{
    private const int Biased = 0, Revoking = 1, Revoked = 2;

    private static int s_lastThreadToken;

    // A number of this thread's own, nonzero once assigned: a thread-static read is inlined, where
    // Environment.CurrentManagedThreadId is a call.
    [ThreadStatic]
    private static int t_threadToken;

    private readonly int _biasOwner;
    private int _bias;     // Biased, then Revoking, then Revoked, once
    private int _biasHeld; // 1 while the bias owner holds the lock through the bias; written only by that thread
    private int _taken;    // the compare-exchange lock, once the bias is revoked (or on the way to it)
#if DEBUG
    private int _owner;
#endif

    /// <summary>A lock biased to the calling thread.</summary>
    public XenSpinlock() => _biasOwner = ThreadToken();

    [UnscopedRef]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Scope EnterScope()
    {
#if DEBUG
        if (Volatile.Read(ref _owner) == Environment.CurrentManagedThreadId)
        {
            throw new UnreachableException("A XenSpinlock was taken again by the thread that holds it.");
        }
#endif
        bool biased = t_threadToken == _biasOwner && TryEnterBiased();
        if (!biased)
        {
            EnterTaken();
        }

#if DEBUG
        _owner = Environment.CurrentManagedThreadId;
#endif
        return new Scope(ref this, biased);
    }

    private static int ThreadToken()
    {
        if (t_threadToken == 0)
        {
            t_threadToken = Interlocked.Increment(ref s_lastThreadToken);
        }

        return t_threadToken;
    }

    // Whether the lock is still biased (no other thread has ever asked for it).
    internal readonly bool IsBiased => Volatile.Read(in _bias) == Biased;

    // The bias owner: "inside", then "nobody revoked". The store and the load must not trade places; the JIT keeps
    // volatile accesses in program order, and a revoker's process-wide barrier covers the CPU's store buffer.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryEnterBiased()
    {
        Volatile.Write(ref _biasHeld, 1);
        if (Volatile.Read(ref _bias) == Biased)
        {
            return true;
        }

        Volatile.Write(ref _biasHeld, 0);
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterTaken()
    {
        if (Volatile.Read(ref _bias) != Revoked)
        {
            Revoke();
        }

        var spin = default(SpinWait);
        while (Volatile.Read(ref _taken) != 0 || Interlocked.CompareExchange(ref _taken, 1, 0) != 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    // Ends the bias for good; returns once the bias owner cannot be inside through it.
    private void Revoke()
    {
        var spin = default(SpinWait);
        if (Interlocked.CompareExchange(ref _bias, Revoking, Biased) == Biased)
        {
            Interlocked.MemoryBarrierProcessWide();
            while (Volatile.Read(ref _biasHeld) != 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            Volatile.Write(ref _bias, Revoked);
            return;
        }

        while (Volatile.Read(ref _bias) != Revoked)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    internal readonly ref struct Scope
    {
        private readonly ref XenSpinlock _lock;
        private readonly bool _biased;

        public Scope(ref XenSpinlock owner, bool biased)
        {
            _lock = ref owner;
            _biased = biased;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Dispose()
        {
#if DEBUG
            _lock._owner = 0;
#endif
            if (_biased)
            {
                Volatile.Write(ref _lock._biasHeld, 0);
            }
            else
            {
                Volatile.Write(ref _lock._taken, 0);
            }
        }
    }
}

using System.Runtime.CompilerServices;

namespace XenMm.PageTables;

/// <summary>
/// The result of one software table walk: the output address, the level of the leaf and its attributes, or
/// the fault with the level where the walk stopped. A struct, so translation allocates nothing.
/// </summary>
public readonly record struct Translation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Translation(FaultKind fault, int level, PhysAddr physAddr, ulong descriptor, LeafAttributes attributes)
    {
        Fault = fault;
        Level = level;
        _physAddr = physAddr;
        Descriptor = descriptor;
        Attributes = attributes;
    }

    /// <summary>Why the translation failed, or <see cref="FaultKind.None"/>.</summary>
    public FaultKind Fault { get; }

    /// <summary>True when the walk faulted.</summary>
    public bool IsFault => Fault != FaultKind.None;

    /// <summary>The level of the leaf (1-3), or of the descriptor where the walk faulted.</summary>
    public int Level { get; }

    private readonly PhysAddr _physAddr;

    /// <summary>The output address (leaf address plus the offset inside it) of a translation that did not fault.</summary>
    /// <exception cref="InvalidOperationException">The walk faulted: there is no address to read (use <see cref="TryGetPhysAddr"/>).</exception>
    public PhysAddr PhysAddr
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (Fault != FaultKind.None)
            {
                // Static and by value: passing `this` would make every caller keep the whole struct in memory.
                ThrowFault(Fault, Level);
            }

            return _physAddr;
        }
    }

    /// <summary>
    /// The address the leaf gives, also for a permission or access-flag fault (the leaf exists, only the access is
    /// refused); for a walk that stopped with no leaf (translation fault, external abort) null.
    /// </summary>
    public PhysAddr? LeafPhysAddr => Fault is FaultKind.None or FaultKind.AccessFlag or FaultKind.Permission ? _physAddr : null;

    /// <summary>The output address when the translation did not fault; false (and a default address) on any fault.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetPhysAddr(out PhysAddr physAddr)
    {
        physAddr = Fault == FaultKind.None ? _physAddr : default;
        return Fault == FaultKind.None;
    }

    /// <summary>The raw leaf descriptor, or the descriptor that faulted (0 when none was read).</summary>
    public ulong Descriptor { get; }

    /// <summary>The leaf's attribute fields (default on a translation fault).</summary>
    public LeafAttributes Attributes { get; }

    /// <summary>The size of the leaf's region in bytes (4 KiB, 2 MiB or 1 GiB); 0 on a translation fault.</summary>
    public ulong LeafSize => Fault is FaultKind.None or FaultKind.AccessFlag or FaultKind.Permission ? 1UL << (12 + (9 * (3 - Level))) : 0;

    /// <summary>What the leaf allows, with Xen's WXN (a writable mapping is never executable); none on a translation fault.</summary>
    public AccessPermissions Permissions => Fault is FaultKind.Translation or FaultKind.ExternalAbort
        ? AccessPermissions.None
        : AccessPermissions.Read
          | (Attributes.ReadOnly ? AccessPermissions.None : AccessPermissions.Write)
          | (!Attributes.ExecuteNever && Attributes.ReadOnly ? AccessPermissions.Execute : AccessPermissions.None);

    /// <inheritdoc />
    public override string ToString() => IsFault
        ? $"{Fault} fault at level {Level} (descriptor 0x{Descriptor:X16}{(LeafPhysAddr is { } leaf ? $", leaf address {leaf}" : "")})"
        : $"{_physAddr} (level {Level}, descriptor 0x{Descriptor:X16})";

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFault(FaultKind fault, int level) =>
        throw new InvalidOperationException($"The translation faulted ({fault} at level {level}); it has no physical address. Check IsFault or use TryGetPhysAddr.");
}

namespace XenMm.PageTables;

/// <summary>What a <see cref="PteField"/> holds.</summary>
public enum PteFieldKind
{
    /// <summary>A one-bit flag (a <c>bool</c> property).</summary>
    Flag,

    /// <summary>An unsigned number, shifted down to bit 0.</summary>
    Value,

    /// <summary>An enum value, shifted down to bit 0.</summary>
    Enum,

    /// <summary>An address kept in place (not shifted).</summary>
    Address,

    /// <summary>Bits that should be zero (<see cref="ReservedAttribute"/>).</summary>
    Reserved,
}

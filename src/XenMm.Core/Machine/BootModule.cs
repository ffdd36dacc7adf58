namespace XenMm.Machine;

/// <summary>
/// One boot module: a physical range of RAM that holds something Xen was loaded with (its own image, the device
/// tree, a kernel, ...). Xen keeps modules out of the boot allocator (<c>populate_boot_allocator</c>) and the
/// xenheap search (<c>consider_modules</c>).
/// </summary>
/// <param name="Kind">What the module holds.</param>
/// <param name="Start">First byte.</param>
/// <param name="Size">Size in bytes (need not be a page multiple; Xen rounds when it carves RAM).</param>
public readonly record struct BootModule(BootModuleKind Kind, PhysAddr Start, ulong Size)
{
    /// <summary>One past the last byte.</summary>
    public ulong End => Start.Value + Size;

    /// <summary>Xen's name for the kind, as <c>boot_module_kind_as_string</c> prints it in the <c>MODULE[n]</c> lines.</summary>
    public string KindName => XenName(Kind);

    /// <summary>Xen's printed name of <paramref name="kind"/> (Xen: <c>boot_module_kind_as_string</c>).</summary>
    public static string XenName(BootModuleKind kind) => kind switch
    {
        BootModuleKind.Xen => "Xen",
        BootModuleKind.DeviceTree => "Device Tree",
        BootModuleKind.Kernel => "Kernel",
        BootModuleKind.Ramdisk => "Ramdisk",
        BootModuleKind.XsmPolicy => "XSM Policy",
        BootModuleKind.GuestDeviceTree => "DTB",
        BootModuleKind.Microcode => "Microcode",
        _ => "Unknown",
    };

    /// <inheritdoc />
    public override string ToString() => $"{KindName} [{Start}, 0x{End:X})";
}

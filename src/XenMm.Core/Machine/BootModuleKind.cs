namespace XenMm.Machine;

/// <summary>What a boot module is (Xen: <c>boot_module_kind</c>); the kinds Xen on ARM registers at boot.</summary>
public enum BootModuleKind
{
    /// <summary>Xen's own image (<c>BOOTMOD_XEN</c>), always module 0.</summary>
    Xen = 0,

    /// <summary>The flattened device tree Xen was handed (<c>BOOTMOD_FDT</c>).</summary>
    DeviceTree,

    /// <summary>A dom0 or domU kernel (<c>BOOTMOD_KERNEL</c>).</summary>
    Kernel,

    /// <summary>An initial ramdisk (<c>BOOTMOD_RAMDISK</c>).</summary>
    Ramdisk,

    /// <summary>An XSM/FLASK policy (<c>BOOTMOD_XSM_POLICY</c>).</summary>
    XsmPolicy,

    /// <summary>Anything else (<c>BOOTMOD_UNKNOWN</c>).</summary>
    Other,

    /// <summary>A device tree for a guest (<c>BOOTMOD_GUEST_DTB</c>, compatible <c>multiboot,device-tree</c>).</summary>
    GuestDeviceTree,

    /// <summary>A CPU microcode blob (<c>BOOTMOD_MICROCODE</c>, compatible <c>multiboot,microcode</c>).</summary>
    Microcode,
}

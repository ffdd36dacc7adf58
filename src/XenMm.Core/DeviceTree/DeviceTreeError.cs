namespace XenMm.DeviceTree;

/// <summary>Builds the one exception a bad blob raises: <see cref="MmError.InvalidDeviceTree"/> with the byte offset.</summary>
internal static class DeviceTreeError
{
    public static XenMmException At(long offset, string what) =>
        new(MmError.InvalidDeviceTree, $"Invalid device tree at byte 0x{offset:X}: {what}");
}

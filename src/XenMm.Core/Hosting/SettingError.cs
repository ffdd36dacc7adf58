namespace XenMm.Hosting;

/// <summary>One bad setting found while turning <see cref="XenMmOptions"/> into <see cref="Machine.MachineOptions"/>.</summary>
internal readonly record struct SettingError(MmError Code, string Message);

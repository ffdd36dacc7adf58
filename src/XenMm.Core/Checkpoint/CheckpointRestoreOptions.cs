using Microsoft.Extensions.Logging;
using XenMm.Machine;

namespace XenMm.Checkpoint;

/// <summary>How a checkpoint is restored.</summary>
public sealed class CheckpointRestoreOptions
{
    /// <summary>
    /// The machine the host expects (RAM banks, reserved regions, CPUs, profile, command line). When set, a checkpoint
    /// of a differently composed machine is refused with <see cref="MmError.IncompatibleCheckpoint"/> naming each
    /// difference; when null, the checkpoint's own options are booted.
    /// </summary>
    public MachineOptions? ExpectedOptions { get; set; }

    /// <summary>Where the restored machine's boot log goes.</summary>
    public ILogger? Logger { get; set; }
}

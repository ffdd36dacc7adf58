namespace XenMm.Checkpoint;

/// <summary>A machine restored from a checkpoint, with the attachments saved beside it.</summary>
/// <param name="Machine">The machine, booted, restored, audited.</param>
/// <param name="Attachments">Caller data saved with the machine (a workload's state, say), by name.</param>
public sealed record RestoredCheckpoint(XenMachine Machine, IReadOnlyDictionary<string, byte[]> Attachments);

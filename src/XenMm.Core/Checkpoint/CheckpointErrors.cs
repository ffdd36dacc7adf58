namespace XenMm.Checkpoint;

internal static class CheckpointErrors
{
    public static XenMmException Corrupt(string where, string what) =>
        new(MmError.CorruptCheckpoint, $"Corrupt checkpoint: {where}: {what}.");

    public static XenMmException Incompatible(string what) =>
        new(MmError.IncompatibleCheckpoint, $"Incompatible checkpoint: {what}.");
}

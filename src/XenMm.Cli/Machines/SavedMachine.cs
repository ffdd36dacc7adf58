using XenMm.Checkpoint;

namespace XenMm.Cli.Machines;

/// <summary>A checkpoint file restored with the architecture it names.</summary>
internal static class SavedMachine
{
    /// <summary>Reads <paramref name="file"/> and restores its machine.</summary>
    /// <exception cref="XenMmException">A damaged checkpoint or an unknown architecture, named.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static (XenMachine Machine, CheckpointInfo Info, int Bytes) Load(FileInfo file)
    {
        var bytes = File.ReadAllBytes(file.FullName);
        var info = CheckpointInfo.Read(new MemoryStream(bytes));
        return (XenMachine.RestoreCheckpoint(new MemoryStream(bytes), Architectures.Create(info.Architecture)), info, bytes.Length);
    }
}

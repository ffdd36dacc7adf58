using System.IO.Hashing;
using XenMm.Checkpoint;
using XenMm.Machine;

namespace XenMm;

// Checkpoints (docs/checkpoint-format.md): save, restore, and the state hash.
public sealed partial class XenMachine
{
    internal MachineState CheckpointState => State;

    /// <summary>
    /// Writes a checkpoint of this machine to <paramref name="stream"/>: its composition and every part of its state
    /// (memory, frame table, heap, domains, tables, vmap, parts' registers), with <paramref name="attachments"/> beside
    /// it. Call it while no other thread changes the machine.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidState"/> when the machine has not booted.</exception>
    public void SaveCheckpoint(Stream stream, IReadOnlyDictionary<string, byte[]>? attachments = null) =>
        CheckpointFile.Write(Check(stream), MachineCapture.Capture(State, attachments).ToList(), null, default);

    /// <summary>
    /// <see cref="SaveCheckpoint"/> with progress (0 to 1) and cancellation; the state is captured first, then written
    /// asynchronously.
    /// </summary>
    public async Task SaveCheckpointAsync(Stream stream, IReadOnlyDictionary<string, byte[]>? attachments = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        Check(stream);
        var records = MachineCapture.Capture(State, attachments).ToList();
        using var buffer = new MemoryStream();
        CheckpointFile.Write(buffer, records, progress, cancellationToken);
        buffer.Position = 0;
        await buffer.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Restores the machine saved in <paramref name="stream"/> on <paramref name="architecture"/>: boots the saved
    /// options, replaces every part of the state with the saved one, and runs <see cref="Audit"/> before returning.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.CorruptCheckpoint"/> for a damaged file (the message says where);
    /// <see cref="MmError.IncompatibleCheckpoint"/> for another architecture, a later format, or a machine other than
    /// <see cref="CheckpointRestoreOptions.ExpectedOptions"/> (the message names the difference).
    /// </exception>
    public static XenMachine RestoreCheckpoint(Stream stream, IArchitecture architecture, CheckpointRestoreOptions? options = null) =>
        RestoreCheckpointWithAttachments(stream, architecture, options).Machine;

    /// <summary><see cref="RestoreCheckpoint"/>, also returning the attachments saved with the machine.</summary>
    public static RestoredCheckpoint RestoreCheckpointWithAttachments(Stream stream, IArchitecture architecture,
        CheckpointRestoreOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        Check(stream);
        ArgumentNullException.ThrowIfNull(architecture);
        var restore = new MachineRestore(architecture, options ?? new CheckpointRestoreOptions());
        CheckpointParser.Read(stream, restore, progress, cancellationToken);
        restore.Finish();
        return new RestoredCheckpoint(restore.Machine!, restore.Attachments);
    }

    /// <summary><see cref="RestoreCheckpointWithAttachments"/> reading the stream asynchronously, with progress and cancellation.</summary>
    public static async Task<RestoredCheckpoint> RestoreCheckpointAsync(Stream stream, IArchitecture architecture,
        CheckpointRestoreOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        Check(stream);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        buffer.Position = 0;
        return RestoreCheckpointWithAttachments(buffer, architecture, options, progress, cancellationToken);
    }

    /// <summary>
    /// A 64-bit hash (XxHash3) of the machine's whole state: heap and frame table, domains, every table tree, vmap,
    /// run-time frames, the parts' registers and every byte of memory. Two machines with the same composition hash
    /// alike exactly when their checkpoints hold the same state.
    /// </summary>
    public ulong StateHash()
    {
        var h = new XxHash3();
        Span<byte> type = stackalloc byte[4];
        foreach (var (t, body) in MachineCapture.CaptureState(State))
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(type, (uint)t);
            h.Append(type);
            h.Append(body);
        }

        return h.GetCurrentHashAsUInt64();
    }

    private static Stream Check(Stream stream) => stream ?? throw new ArgumentNullException(nameof(stream));
}

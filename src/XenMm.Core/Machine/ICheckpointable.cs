using System.Buffers;

namespace XenMm.Machine;

/// <summary>
/// A part of a machine with registers of its own that a checkpoint must carry (a heap model's live xenheap
/// allocations, a domain-page mapper's counters): what is not already in simulated memory or the frame table.
/// Core saves the payload as an opaque record named after the part's role and hands it back on restore, after the
/// machine was booted again from the same options and its memory and heap were restored.
/// </summary>
/// <remarks>
/// The payload is untrusted on restore: check every length and value, and throw <see cref="XenMmException"/> with
/// <see cref="MmError.CorruptCheckpoint"/> naming what is wrong (any other exception is reported as corrupt too).
/// Writing the same registers must give the same bytes, so that save, restore, save gives an identical file.
/// </remarks>
public interface ICheckpointable
{
    /// <summary>Writes the part's registers.</summary>
    void SaveCheckpoint(IBufferWriter<byte> writer);

    /// <summary>Replaces the part's registers with those of <paramref name="payload"/>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.CorruptCheckpoint"/> when the payload is not one this part wrote.</exception>
    void RestoreCheckpoint(ReadOnlyMemory<byte> payload);
}

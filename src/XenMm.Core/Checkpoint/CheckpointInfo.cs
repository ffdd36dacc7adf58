using XenMm.Machine;

namespace XenMm.Checkpoint;

/// <summary>What a checkpoint file says about itself, read without booting: its composition and its records.</summary>
public sealed class CheckpointInfo
{
    private CheckpointInfo()
    {
    }

    /// <summary>The XenMm version that wrote it.</summary>
    public string WriterVersion { get; private init; } = string.Empty;

    /// <summary>The architecture plug-in's name (<c>arm32</c>, <c>arm64</c>, ...).</summary>
    public string Architecture { get; private init; } = string.Empty;

    /// <summary>The page-table format's name.</summary>
    public string PageTableFormat { get; private init; } = string.Empty;

    /// <summary>The layout's name.</summary>
    public string Layout { get; private init; } = string.Empty;

    /// <summary>The machine's options (as the machine used them: Xen's image added, modules in Xen's order).</summary>
    public MachineOptions Options { get; private init; } = new();

    /// <summary>Records by type: how many, and their bytes on disk (compressed, frames included).</summary>
    public IReadOnlyDictionary<string, (int Count, long Bytes)> Records { get; private init; } = new Dictionary<string, (int, long)>();

    /// <summary>The attachments' names.</summary>
    public IReadOnlyList<string> Attachments { get; private init; } = [];

    /// <summary>Reads and checks the whole file (frames, checksums, record order and contents) and describes it.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.CorruptCheckpoint"/> or <see cref="MmError.IncompatibleCheckpoint"/>.</exception>
    public static CheckpointInfo Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var sink = new Sink();
        CheckpointParser.Read(stream, sink);
        var h = sink.HeaderRecord!;
        return new CheckpointInfo
        {
            WriterVersion = h.WriterVersion,
            Architecture = h.Architecture,
            PageTableFormat = h.PageTableFormat,
            Layout = h.Layout,
            Options = h.Options,
            Records = sink.Records,
            Attachments = sink.AttachmentNames,
        };
    }

    private sealed class Sink : IRecordSink
    {
        public HeaderRecord? HeaderRecord;
        public Dictionary<string, (int, long)> Records = new(StringComparer.Ordinal);
        public List<string> AttachmentNames = [];

        public void Record(RawRecord record)
        {
            var name = CheckpointFormat.Name(record.Type);
            var (n, b) = Records.GetValueOrDefault(name);
            Records[name] = (n + 1, b + record.Body.Length + CheckpointFormat.FrameSize);
        }

        public void Header(HeaderRecord header, string where) => HeaderRecord = header;

        public void Boot(BootRecord boot, string where)
        {
        }

        public void Domains(List<DomainRecord> domains, string where)
        {
        }

        public void Memory(MemoryRecord chunk, string where)
        {
        }

        public void FrameTable(FrameTableRecord frames, string where)
        {
        }

        public void Heap(HeapRecord heap, string where)
        {
        }

        public void Vmap(VmapRecord vmap, string where)
        {
        }

        public void Frames(FramesRecord frames, string where)
        {
        }

        public void Part(NamedRecord part, string where)
        {
        }

        public void Attachment(NamedRecord attachment, string where) => AttachmentNames.Add(attachment.Name);
    }
}

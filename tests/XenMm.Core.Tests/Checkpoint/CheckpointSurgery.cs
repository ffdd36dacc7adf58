using MessagePack;
using XenMm.Checkpoint;

namespace XenMm.Tests.Checkpoint;

/// <summary>Takes a checkpoint apart into decoded records and puts one back together with valid frames and checksums.</summary>
internal static class CheckpointSurgery
{
    public static byte[] Save(XenMachine m, IReadOnlyDictionary<string, byte[]>? attachments = null)
    {
        using var s = new MemoryStream();
        m.SaveCheckpoint(s, attachments);
        return s.ToArray();
    }

    public static XenMachine Restore(byte[] file, XenMm.Machine.IArchitecture? arch = null, CheckpointRestoreOptions? options = null) =>
        XenMachine.RestoreCheckpoint(new MemoryStream(file), arch ?? new XenMm.Tests.Machine.Toy.ToyArchitecture(), options);

    public static List<(uint Type, byte[] Body)> Split(byte[] file) =>
        [.. CheckpointParser.ReadFrames(new MemoryStream(file)).Select(r => (r.Type, CheckpointBody.Decompress(r.Body, r.Where).ToArray()))];

    public static byte[] Join(IEnumerable<(uint Type, byte[] Body)> records, uint version = 1)
    {
        using var s = new MemoryStream();
        var prefix = new byte[16];
        CheckpointFormat.WritePrefix(prefix, version);
        s.Write(prefix);
        var frame = new byte[24];
        foreach (var (type, body) in records)
        {
            var compressed = CheckpointBody.Compress(body);
            CheckpointFormat.WriteFrame(frame, type, compressed);
            s.Write(frame);
            s.Write(compressed);
        }

        return s.ToArray();
    }

    public static byte[] End(int count) => MachineCapture.Body((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(1);
        w.Write(count);
    });

    // Rewrites the one record of a type through its decoded form.
    public static byte[] Edit<T>(byte[] file, CheckpointRecordType type, Func<ReadOnlyMemory<byte>, T> read, Action<T> edit, Func<T, byte[]> write)
    {
        var records = Split(file);
        var i = records.FindIndex(r => r.Type == (uint)type);
        var value = read(records[i].Body);
        edit(value);
        records[i] = (records[i].Type, write(value));
        return Join(records);
    }

    public static byte[] EditHeap(byte[] file, Action<HeapRecord> edit) => Edit(file, CheckpointRecordType.Heap,
        body => { var r = new BodyReader(body, "test"); return HeapRecord.Read(ref r); }, edit,
        h => MachineCapture.Body(h.Write));

    public static byte[] EditFrames(byte[] file, Action<FramesRecord> edit) => Edit(file, CheckpointRecordType.Frames,
        body => { var r = new BodyReader(body, "test"); return FramesRecord.Read(ref r); }, edit,
        f => MachineCapture.Body(f.Write));

    public static byte[] EditFrameTable(byte[] file, Action<FrameTableRecord> edit) => Edit(file, CheckpointRecordType.FrameTable,
        body => { var r = new BodyReader(body, "test"); return FrameTableRecord.Read(ref r); }, edit,
        f => MachineCapture.Body(f.Write));
}

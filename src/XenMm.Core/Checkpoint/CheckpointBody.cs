using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace XenMm.Checkpoint;

// A record's body on disk: one MessagePack value (written by hand with MessagePackWriter), through MessagePack's
// LZ4 block-array compression. The resolver knows one type, written by hand: no dynamic resolver, nothing emitted.
internal static class CheckpointBody
{
    private const sbyte Lz4BlockArrayCode = 98;

    private static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(Resolver.Instance)
        .WithCompression(MessagePackCompression.Lz4BlockArray)
        .WithSecurity(MessagePackSecurity.UntrustedData);

    public static byte[] Compress(ReadOnlyMemory<byte> value) => MessagePackSerializer.Serialize(new Raw(value), Options);

    // The LZ4 envelope is checked before MessagePack sees it: the block lengths it declares must add up to no more
    // than LZ4 could have produced from the compressed bytes, so a lying envelope cannot make it allocate much.
    public static ReadOnlyMemory<byte> Decompress(ReadOnlyMemory<byte> body, string where)
    {
        try
        {
            CheckEnvelope(body, where);
            var raw = MessagePackSerializer.Deserialize<Raw>(body, Options);
            return raw.Value;
        }
        catch (XenMmException)
        {
            throw;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException
            or ArgumentException or OverflowException or IndexOutOfRangeException or FormatException)
        {
            throw CheckpointErrors.Corrupt(where, $"the compressed body does not decode ({ex.GetBaseException().Message})");
        }
    }

    private static void CheckEnvelope(ReadOnlyMemory<byte> body, string where)
    {
        var reader = new MessagePackReader(body);
        if (reader.End || reader.NextMessagePackType != MessagePackType.Array)
        {
            return; // not compressed (under 64 bytes) or not an array: the value itself is checked by its parser
        }

        var peek = reader.CreatePeekReader();
        var count = peek.ReadArrayHeader();
        if (count == 0 || peek.End || peek.NextMessagePackType != MessagePackType.Extension)
        {
            return;
        }

        var ext = peek.ReadExtensionFormatHeader();
        if (ext.TypeCode != Lz4BlockArrayCode)
        {
            return;
        }

        if (count - 1 > body.Length / 2)
        {
            throw CheckpointErrors.Corrupt(where, $"the LZ4 envelope declares {count - 1} blocks in {body.Length} bytes");
        }

        long declared = 0;
        for (var i = 0; i < count - 1; i++)
        {
            var n = peek.ReadInt32();
            if (n < 0)
            {
                throw CheckpointErrors.Corrupt(where, $"LZ4 block {i} declares a negative length {n}");
            }

            declared += n;
        }

        // LZ4 expands at most 255 times, plus a little per block.
        if (declared > (255L * body.Length) + (64L * count) || declared > int.MaxValue)
        {
            throw CheckpointErrors.Corrupt(where, $"the LZ4 envelope declares {declared} bytes for {body.Length} compressed bytes");
        }
    }

    private readonly record struct Raw(ReadOnlyMemory<byte> Value);

    private sealed class RawFormatter : IMessagePackFormatter<Raw>
    {
        public void Serialize(ref MessagePackWriter writer, Raw value, MessagePackSerializerOptions options) =>
            writer.WriteRaw(value.Value.Span);

        public Raw Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            new(reader.ReadRaw().ToArray());
    }

    private sealed class Resolver : IFormatterResolver
    {
        public static readonly Resolver Instance = new();

        private static readonly RawFormatter Formatter = new();

        public IMessagePackFormatter<T>? GetFormatter<T>() => typeof(T) == typeof(Raw) ? (IMessagePackFormatter<T>)(object)Formatter : null;
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using XenMm.Cli.Decoding;

namespace XenMm.Cli.Commands;

/// <summary><c>xenmm decode --format lpae|lpae-p2m|vmsa64|vmsa64-s2 0xRAW</c>: every field of one descriptor.</summary>
internal static class DecodeCommand
{
    public static Command Create(TextWriter output)
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = $"The descriptor format: {DescriptorFormat.Names}.",
            Required = true,
        };
        format.Validators.Add(result =>
        {
            var name = result.GetValueOrDefault<string>();
            if (DescriptorFormat.Find(name) is null)
            {
                result.AddError($"unknown format '{name}' (use {DescriptorFormat.Names}).");
            }
        });

        var raw = new Argument<ulong>("raw")
        {
            Description = "The raw 64-bit descriptor in hex, e.g. 0x0040000080000F7D or 0x0040_0000_8000_0F7D.",
            CustomParser = ParseRaw,
        };

        var command = new Command("decode", "Decode one ARM page-table descriptor as Xen defines it.") { format, raw };
        command.SetAction(parse =>
        {
            Write(output, DescriptorFormat.Find(parse.GetValue(format))!, parse.GetValue(raw));
            return 0;
        });
        return command;
    }

    /// <summary>Writes the decode of <paramref name="raw"/>: a title, the fields, the kind at each level, the raw hex.</summary>
    public static void Write(TextWriter output, DescriptorFormat format, ulong raw)
    {
        output.WriteLine($"{format.Name}: {format.Title}");
        foreach (var line in format.DescribeFields(raw))
        {
            output.WriteLine(line);
        }

        output.WriteLine($"kind: {format.DescribeKinds(raw)}");
        output.WriteLine($"raw: 0x{raw:X16}");
    }

    private static ulong ParseRaw(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        var digits = text.Trim().Replace("_", string.Empty, StringComparison.Ordinal);
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        if (digits.Length == 0 || !digits.All(char.IsAsciiHexDigit) || text.StartsWith('_') || text.EndsWith('_'))
        {
            result.AddError($"'{text}' is not a hexadecimal descriptor (example: 0x0040000080000F7D).");
            return 0;
        }

        if (!ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"'{text}' is wider than 64 bits; a descriptor has 64.");
            return 0;
        }

        return value;
    }
}

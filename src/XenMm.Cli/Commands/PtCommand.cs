using System.CommandLine;
using XenMm.Arm32.PageTables;
using XenMm.Arm64.PageTables;
using XenMm.Memory;
using XenMm.PageTables;

namespace XenMm.Cli.Commands;

/// <summary>
/// <c>xenmm pt translate|dump --format lpae|vmsa64 --image FILE --base PA --root PA</c>: walks page tables that
/// XenMm did not build, from a raw physical memory image.
/// </summary>
internal static class PtCommand
{
    private const int BadInput = 2;

    public static Command Create(TextReader input, TextWriter output, TextWriter error)
    {
        var command = new Command("pt", "Walk ARM page tables in a raw physical memory image (software walk, Xen's MAIR).");
        command.Subcommands.Add(CreateTranslate(input, output, error));
        command.Subcommands.Add(CreateDump(output, error));
        return command;
    }

    private static Command CreateTranslate(TextReader input, TextWriter output, TextWriter error)
    {
        var options = new ImageOptions();
        var addresses = new Argument<string[]>("va")
        {
            Description = "Virtual addresses in hex; read from standard input, one per line, when none are given.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("translate", "Translate virtual addresses: prints 'VA PA attr=0xNN' (the MAIR attribute byte) or 'VA FAULT level=N type=...'.");
        options.AddTo(command);
        command.Arguments.Add(addresses);
        command.SetAction(parse => Guard(error, () =>
        {
            var vas = parse.GetValue(addresses) is { Length: > 0 } given ? given : ReadLines(input);
            return options.Format(parse) == LpaeFormat.Name
                ? Translate<LpaeFormat>(options.Load<LpaeFormat>(parse), vas, output, error)
                : Translate<Vmsa64Format>(options.Load<Vmsa64Format>(parse), vas, output, error);
        }));
        return command;
    }

    private static Command CreateDump(TextWriter output, TextWriter error)
    {
        var options = new ImageOptions();
        var command = new Command("dump", "List the mapped ranges, merged where contiguous: 'VA-VA_END PA size=0x... attr=0xNN rw|ro x|xn'.");
        options.AddTo(command);
        command.SetAction(parse => Guard(error, () =>
        {
            var ranges = options.Format(parse) == LpaeFormat.Name
                ? options.Load<LpaeFormat>(parse).Dump()
                : options.Load<Vmsa64Format>(parse).Dump();
            foreach (var r in ranges)
            {
                output.WriteLine(r);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>One translate line: <c>0xVA 0xPA attr=0xNN</c> or <c>0xVA FAULT level=N type=kind</c>.</summary>
    public static string FormatTranslation(VirtAddr va, in Translation t) => t.TryGetPhysAddr(out var pa)
        ? $"0x{va.Value:X} 0x{pa.Value:X} attr=0x{Mair.AttributeOf(t.Attributes.AttrIndx):X2}"
        : $"0x{va.Value:X} FAULT level={t.Level} type={FaultName(t.Fault)}";

    private static string FaultName(FaultKind fault) => fault switch
    {
        FaultKind.AccessFlag => "access-flag",
        FaultKind.Permission => "permission",
        FaultKind.ExternalAbort => "external-abort",
        _ => "translation",
    };

    private static int Translate<TFormat>(PageTables<TFormat> tables, IEnumerable<string> vas, TextWriter output, TextWriter error)
        where TFormat : struct, IPageTableFormat
    {
        foreach (var text in vas)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (!VirtAddr.TryParse(text, null, out var va))
            {
                error.WriteLine($"xenmm: '{text.Trim()}' is not a hexadecimal virtual address (example: 0x40001000).");
                return BadInput;
            }

            var t = tables.Translate(va);
            output.WriteLine(FormatTranslation(va, t));
        }

        return 0;
    }

    private static IEnumerable<string> ReadLines(TextReader input)
    {
        while (input.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    private static int Guard(TextWriter error, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is XenMmException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine(ex is XenMmException mm ? $"xenmm: {mm.Error}: {mm.Message}" : $"xenmm: {ex.Message}");
            return BadInput;
        }
    }

    /// <summary>The options every <c>pt</c> subcommand shares, and loading the image they name.</summary>
    private sealed class ImageOptions
    {
        private readonly Option<string> _format = new("--format", "-f")
        {
            Description = "The table format: lpae (arm32, root level 1) or vmsa64 (arm64, 4 KiB granule, root level 0).",
            Required = true,
        };

        private readonly Option<FileInfo> _image = new("--image", "-i")
        {
            Description = "A raw physical memory image.",
            Required = true,
        };

        private readonly Option<string> _base = new("--base")
        {
            Description = "The physical address of the image's first byte, in hex.",
            Required = true,
        };

        private readonly Option<string> _root = new("--root")
        {
            Description = "The physical address of the root table (TTBR0_EL2 / HTTBR), in hex.",
            Required = true,
        };

        public ImageOptions()
        {
            _format.Validators.Add(r =>
            {
                var name = r.GetValueOrDefault<string>();
                if (name != LpaeFormat.Name && name != Vmsa64Format.Name)
                {
                    r.AddError($"unknown table format '{name}' (use {LpaeFormat.Name} or {Vmsa64Format.Name}).");
                }
            });
            _base.Validators.Add(r => CheckHex(r, r.GetValueOrDefault<string>(), "--base"));
            _root.Validators.Add(r => CheckHex(r, r.GetValueOrDefault<string>(), "--root"));
        }

        public void AddTo(Command command)
        {
            command.Options.Add(_format);
            command.Options.Add(_image);
            command.Options.Add(_base);
            command.Options.Add(_root);
        }

        public string Format(ParseResult parse) => parse.GetValue(_format)!;

        public PageTables<TFormat> Load<TFormat>(ParseResult parse)
            where TFormat : struct, IPageTableFormat
        {
            var file = parse.GetValue(_image)!;
            var bytes = File.ReadAllBytes(file.FullName);
            if (bytes.Length == 0)
            {
                throw new XenMmException(MmError.InvalidArgument, $"Image '{file.Name}' is empty.");
            }

            var start = PhysAddr.Parse(parse.GetValue(_base)!);
            if (!start.IsPageAligned)
            {
                throw new XenMmException(MmError.Misaligned, $"Image base {start} is not page-aligned.");
            }

            var size = Addressing.AlignUp((ulong)bytes.Length, Addressing.PageSize);
            var memory = new PhysicalMemory([new RamBank(start, size)], 48);
            memory.Write(start, bytes);
            return PageTables<TFormat>.Attach(memory, PhysAddr.Parse(parse.GetValue(_root)!));
        }

        private static void CheckHex(System.CommandLine.Parsing.OptionResult result, string? text, string name)
        {
            if (!PhysAddr.TryParse(text, null, out _))
            {
                result.AddError($"{name} '{text}' is not a hexadecimal physical address (example: 0x40000000).");
            }
        }
    }
}

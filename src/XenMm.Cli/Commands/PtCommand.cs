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
            Description = "Virtual addresses in hex, each optionally followed by the access to check: r (default), w or x; read from standard input, one 'VA [r|w|x]' per line, when none are given.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("translate", "Translate virtual addresses for a read, write or fetch: prints 'VA PA attr=0xNN' (the MAIR attribute byte) or 'VA FAULT level=N type=...'.");
        options.AddTo(command);
        command.Arguments.Add(addresses);
        command.SetAction(parse => Guard(error, () =>
        {
            var vas = parse.GetValue(addresses) is { Length: > 0 } given ? given : ReadLines(input);
            if (options.Format(parse) == LpaeFormat.Name)
            {
                var tables = options.Load<LpaeFormat>(parse);
                return Translate(vas, (va, access) => tables.Translate(va, access), output);
            }

            var vmsa = options.Load<Vmsa64Format>(parse);
            return Translate(vas, (va, access) => vmsa.Translate(va, access), output);
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
            var unreadable = new List<UnreadableTable>();
            var ranges = options.Format(parse) == LpaeFormat.Name
                ? options.Load<LpaeFormat>(parse).Dump(unreadable)
                : options.Load<Vmsa64Format>(parse).Dump(unreadable);
            var lines = ranges.Select(r => (r.Start.Value, r.ToString()))
                .Concat(unreadable.Select(u => (u.Start.Value, u.ToString())))
                .OrderBy(l => l.Item1);
            foreach (var (_, line) in lines)
            {
                output.WriteLine(line);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>
    /// One translate line: <c>0xVA 0xPA attr=0xNN</c> or <c>0xVA FAULT level=N type=kind</c>, then <c> access=w|x</c>
    /// when the access checked was not a read.
    /// </summary>
    public static string FormatTranslation(VirtAddr va, in Translation t, AccessType access = AccessType.Read) =>
        (t.TryGetPhysAddr(out var pa)
            ? $"0x{va.Value:X} 0x{pa.Value:X} attr=0x{Mair.AttributeOf(t.Attributes.AttrIndx):X2}"
            : $"0x{va.Value:X} FAULT level={t.Level} type={FaultName(t.Fault)}")
        + (access == AccessType.Read ? "" : $" access={AccessName(access)}");

    /// <summary>The access a token names (<c>r</c>, <c>w</c>, <c>x</c>), or null.</summary>
    public static AccessType? ParseAccess(string token) => token switch
    {
        "r" => AccessType.Read,
        "w" => AccessType.Write,
        "x" => AccessType.Execute,
        _ => null,
    };

    /// <summary>
    /// Splits <c>VA [r|w|x] VA ...</c> (arguments or lines) into VAs with their access; a token that is neither
    /// throws <see cref="XenMmException"/> naming it.
    /// </summary>
    public static IEnumerable<(VirtAddr Va, AccessType Access)> ParseRequests(IEnumerable<string> items)
    {
        VirtAddr? pending = null;
        foreach (var token in items.SelectMany(i => i.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
        {
            if (ParseAccess(token) is { } access)
            {
                if (pending is not { } va)
                {
                    throw new XenMmException(MmError.InvalidArgument, $"access '{token}' follows no virtual address (write 'VA {token}').");
                }

                yield return (va, access);
                pending = null;
                continue;
            }

            if (!VirtAddr.TryParse(token, null, out var next))
            {
                throw new XenMmException(MmError.InvalidArgument, $"'{token}' is neither a hexadecimal virtual address (example: 0x40001000) nor an access (r, w, x).");
            }

            if (pending is { } read)
            {
                yield return (read, AccessType.Read);
            }

            pending = next;
        }

        if (pending is { } last)
        {
            yield return (last, AccessType.Read);
        }
    }

    /// <summary><c>r</c>, <c>w</c> or <c>x</c>.</summary>
    internal static string AccessName(AccessType access) => access switch
    {
        AccessType.Write => "w",
        AccessType.Execute => "x",
        _ => "r",
    };

    private static string FaultName(FaultKind fault) => fault switch
    {
        FaultKind.AccessFlag => "access-flag",
        FaultKind.Permission => "permission",
        FaultKind.ExternalAbort => "external-abort",
        _ => "translation",
    };

    private static int Translate(IEnumerable<string> items, Func<VirtAddr, AccessType, Translation> translate, TextWriter output)
    {
        foreach (var (va, access) in ParseRequests(items))
        {
            output.WriteLine(FormatTranslation(va, translate(va, access), access));
        }

        return 0;
    }

    /// <summary>Standard input's lines, read as they are asked for.</summary>
    internal static IEnumerable<string> ReadLines(TextReader input)
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

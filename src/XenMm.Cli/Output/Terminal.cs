using Spectre.Console;

namespace XenMm.Cli.Output;

/// <summary>
/// The tool's standard output and error. On a terminal, tables have rounded borders and long work shows a status or
/// a progress bar (Spectre.Console, ANSI as the terminal supports). Redirected (a file, a pipe, a test's writer) the
/// output is plain text: no ANSI codes, no progress, borderless tables laid out at a fixed width with no trailing
/// spaces, so it reads the same on every machine.
/// </summary>
internal sealed class Terminal
{
    /// <summary>The width plain output is laid out at (wide enough that no table of the tool wraps).</summary>
    public const int PlainWidth = 200;

    public Terminal(TextWriter output, TextWriter error, bool outputIsTerminal = false, bool errorIsTerminal = false)
        : this(output, error, outputIsTerminal, errorIsTerminal, Create(output, outputIsTerminal), Create(error, errorIsTerminal))
    {
    }

    /// <summary>A terminal drawn on <paramref name="console"/> (tests: Spectre's <c>TestConsole</c>); error lines go to <paramref name="error"/>.</summary>
    public Terminal(IAnsiConsole console, TextWriter error)
        : this(console.Profile.Out.Writer, error, true, true, console, console)
    {
    }

    private Terminal(TextWriter output, TextWriter error, bool outputIsTerminal, bool errorIsTerminal, IAnsiConsole @out, IAnsiConsole err)
    {
        Output = output;
        Error = error;
        OutputIsTerminal = outputIsTerminal;
        ErrorIsTerminal = errorIsTerminal;
        Out = @out;
        Err = err;
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public bool OutputIsTerminal { get; }

    public bool ErrorIsTerminal { get; }

    /// <summary>Standard output as a Spectre console.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Standard error as a Spectre console: where <see cref="Progress"/> draws, so piped results stay clean.</summary>
    public IAnsiConsole Err { get; }

    /// <summary>The process's console: interactive where a stream is not redirected.</summary>
    public static Terminal FromConsole() =>
        new(Console.Out, Console.Error, !Console.IsOutputRedirected, !Console.IsErrorRedirected);

    /// <summary>One line of text, never read as markup; on a terminal through Spectre, so it keeps a live status below it.</summary>
    public void Line(string text = "")
    {
        if (OutputIsTerminal)
        {
            Out.WriteLine(text);
        }
        else
        {
            Output.WriteLine(text);
        }
    }

    /// <summary>A table, <paramref name="indent"/> columns in: rounded on a terminal, borderless and trimmed when plain.</summary>
    public void Write(Table table, int indent = 2)
    {
        if (OutputIsTerminal)
        {
            table.Border(TableBorder.Rounded).BorderColor(Color.Grey);
            Out.Write(new Padder(table, new Padding(indent, 0, 0, 0)));
            return;
        }

        table.Border(TableBorder.None);
        for (var i = 0; i < table.Columns.Count; i++)
        {
            table.Columns[i].Padding = new Padding(0, 0, i == table.Columns.Count - 1 ? 0 : 2, 0);
        }

        var text = new StringWriter();
        Create(text, interactive: false).Write(table);
        var pad = new string(' ', indent);
        foreach (var line in text.ToString().ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length != 0))
        {
            Output.WriteLine(pad + line);
        }
    }

    /// <summary>Runs <paramref name="work"/> under a spinner on a terminal, giving it a way to say what it is doing; plain output shows nothing.</summary>
    public void Status(string text, Action<Action<string>> work)
    {
        if (!OutputIsTerminal)
        {
            work(_ => { });
            return;
        }

        Out.Status().Start(text, ctx => work(s => ctx.Status(s)));
    }

    /// <summary>Runs <paramref name="work"/> under a progress bar of <paramref name="steps"/> on a terminal's standard error; plain, nothing is drawn.</summary>
    public void Progress(string description, int steps, Action<Action> work)
    {
        if (!ErrorIsTerminal)
        {
            work(() => { });
            return;
        }

        Err.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: steps);
                work(() => task.Increment(1));
            });
    }

    private static IAnsiConsole Create(TextWriter writer, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),

            // Spectre's enrichers recognise CI services and change the profile; plain output must not depend on them.
            Enrichment = new ProfileEnrichment { UseDefaultEnrichers = interactive },
        });
        if (!interactive)
        {
            console.Profile.Width = PlainWidth;
        }

        return console;
    }
}

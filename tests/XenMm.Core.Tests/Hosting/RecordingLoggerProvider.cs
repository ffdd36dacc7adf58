using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace XenMm.Tests.Hosting;

/// <summary>A logger provider that keeps every entry with its category and the scopes open when it was written.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly AsyncLocal<ImmutableStack> _scopes = new();

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    internal sealed record LogEntry(string Category, LogLevel Level, string Message, IReadOnlyList<string> Scopes);

    private sealed record ImmutableStack(string Top, ImmutableStack? Rest);

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            var previous = owner._scopes.Value;
            owner._scopes.Value = new ImmutableStack(state.ToString() ?? string.Empty, previous);
            return new Pop(() => owner._scopes.Value = previous!);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            for (var s = owner._scopes.Value; s is not null; s = s.Rest)
            {
                scopes.Add(s.Top);
            }

            owner.Entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), scopes));
        }
    }

    private sealed class Pop(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}

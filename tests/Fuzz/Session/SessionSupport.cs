using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

namespace Ingest.Fuzz.Session;

/// <summary>One fixed instant: replies carry the same time on every run, so an input always gives the same bytes.</summary>
internal sealed class FixedTime : TimeProvider
{
    public static readonly DateTimeOffset Instant = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Instant;
}

internal sealed class PlainMeterFactory : IMeterFactory
{
    public Meter Create(MeterOptions options) => new(options);

    public void Dispose()
    {
    }
}

internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}

/// <summary>
/// Keeps what the session logs at warning and above. An error (a faulted session, a spool refusal that cannot
/// happen here) is an invariant violation; warnings (malformed input, VIN mismatch) are the expected reaction to
/// fuzzed bytes.
/// </summary>
internal sealed class ErrorCollectingLogger<T> : ILogger<T>
{
    public List<string> Errors { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Error)
        {
            Errors.Add($"{eventId.Name}: {formatter(state, exception)} {exception}");
        }
    }
}

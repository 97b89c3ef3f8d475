using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ingest.Tests.Infrastructure;

/// <summary>Writes log events to the test's output, so a failing storage test shows what the sink saw.</summary>
public sealed class TestOutputLogger<T>(ITestOutputHelper output) : ILogger<T>
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{_clock.Elapsed.TotalSeconds,7:F2}s {logLevel} {eventId.Name}: {formatter(state, exception)}" +
                (exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message.Split('\n')[0]}]"));
        }
        catch (InvalidOperationException)
        {
            // The test has finished; a background loop logged after it.
        }
    }
}

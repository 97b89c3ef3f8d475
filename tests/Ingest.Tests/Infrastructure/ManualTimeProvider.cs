namespace Ingest.Tests.Infrastructure;

/// <summary>
/// A clock the test sets: <see cref="GetUtcNow"/> and the timestamps (<see cref="GetTimestamp"/>, hence
/// <see cref="TimeProvider.GetElapsedTime(long, long)"/>) follow <see cref="Set"/> and <see cref="Advance"/>;
/// timers and delays stay real, so a periodic sweep still runs and reads this clock.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

namespace Ingest.Tests.Infrastructure;

/// <summary>A clock the test sets (only <see cref="GetUtcNow"/> is manual; timers and delays stay real).</summary>
public sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Set(DateTimeOffset now) => _now = now;
}

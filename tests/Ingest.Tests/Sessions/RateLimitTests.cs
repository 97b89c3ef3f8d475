using System.Net;
using Ingest.Sessions;
using Ingest.Tests.Infrastructure;
using Ingest.Transport;

namespace Ingest.Tests.Sessions;

/// <summary>The token buckets and the log budget on a driven clock: bursts, refill, per-address versus total, and the
/// count of lines left out.</summary>
public sealed class RateLimitTests
{
    private static readonly IPEndPoint A = new(IPAddress.Parse("10.0.0.1"), 4000);
    private static readonly IPEndPoint B = new(IPAddress.Parse("10.0.0.2"), 4000);

    [Fact]
    public void An_address_gets_its_burst_then_its_rate_and_another_address_is_not_affected()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var limiter = new RateLimiter(new RateLimitOptions { LoginsPerSecondPerAddress = 2, LoginBurstPerAddress = 3, LoginsPerSecond = 0 }, clock);

        Assert.Equal([RateLimitScope.None, RateLimitScope.None, RateLimitScope.None, RateLimitScope.Address],
            Enumerable.Range(0, 4).Select(_ => limiter.TryLogin(A)));
        Assert.Equal(RateLimitScope.None, limiter.TryLogin(B));
        clock.Advance(TimeSpan.FromMilliseconds(500)); // one token back at 2/s
        Assert.Equal(RateLimitScope.None, limiter.TryLogin(A));
        Assert.Equal(RateLimitScope.Address, limiter.TryLogin(A));
    }

    [Fact]
    public void The_total_limit_refuses_every_address_once_spent_and_a_refused_address_does_not_spend_it()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var limiter = new RateLimiter(new RateLimitOptions
        {
            ConnectionsPerSecond = 1, ConnectionBurst = 2, ConnectionsPerSecondPerAddress = 1, ConnectionBurstPerAddress = 1,
        }, clock);

        Assert.Equal(RateLimitScope.None, limiter.TryConnect(A));
        Assert.Equal(RateLimitScope.Address, limiter.TryConnect(A)); // A's own bucket is empty; the total is not touched
        Assert.Equal(RateLimitScope.None, limiter.TryConnect(B));
        Assert.Equal(RateLimitScope.Total, limiter.TryConnect(new IPEndPoint(IPAddress.Parse("10.0.0.3"), 1)));
    }

    [Fact]
    public void Switched_off_limits_never_refuse()
    {
        var limiter = new RateLimiter(new RateLimitOptions { Enabled = false, ConnectionBurst = 1, ConnectionBurstPerAddress = 1 },
            new ManualTimeProvider(DateTimeOffset.UnixEpoch));
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(RateLimitScope.None, limiter.TryConnect(A)));
    }

    [Fact]
    public void Past_the_tracked_address_limit_idle_addresses_are_forgotten()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var limiter = new RateLimiter(new RateLimitOptions
        {
            LoginsPerSecond = 0, LoginsPerSecondPerAddress = 1, LoginBurstPerAddress = 1, MaxTrackedAddresses = 2,
        }, clock);
        Assert.Equal(RateLimitScope.None, limiter.TryLogin(A));
        Assert.Equal(RateLimitScope.None, limiter.TryLogin(B));
        clock.Advance(TimeSpan.FromSeconds(5)); // both buckets full again
        var c = new IPEndPoint(IPAddress.Parse("10.0.0.3"), 1);
        Assert.Equal(RateLimitScope.None, limiter.TryLogin(c));
        Assert.Equal(RateLimitScope.Address, limiter.TryLogin(c)); // tracked: the table made room by forgetting idle ones
    }

    [Fact]
    public void The_log_budget_writes_its_lines_per_window_and_the_next_line_says_how_many_were_left_out()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new LogBudget(2, TimeSpan.FromMinutes(1), clock);

        var written = Enumerable.Range(0, 1000).Count(_ => budget.TryWrite(out long _));
        Assert.Equal(2, written);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(budget.TryWrite(out long suppressed));
        Assert.Equal(998, suppressed);
        Assert.True(budget.TryWrite(out suppressed));
        Assert.Equal(0, suppressed);
    }

    [Fact]
    public void Negative_rates_are_refused_with_the_key_named()
    {
        var problems = new RateLimitOptions { LoginsPerSecond = -1, ConnectionBurstPerAddress = 0 }.Validate().ToList();
        Assert.Contains(problems, p => p.StartsWith("LoginsPerSecond: -1 is negative", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("ConnectionsPerSecondPerAddress: its burst is 0", StringComparison.Ordinal));
    }
}

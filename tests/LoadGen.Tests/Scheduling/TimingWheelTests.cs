using System.Diagnostics;
using LoadGen.Scheduling;

namespace LoadGen.Tests.Scheduling;

public class TimingWheelTests
{
    [Fact]
    public async Task A_wait_that_is_already_due_completes_at_once()
    {
        await using var wheel = new TimingWheel(TimeSpan.FromMilliseconds(5));
        var waiter = new WheelWaiter();

        var wait = wheel.DelayUntil(waiter, Stopwatch.GetTimestamp() - Stopwatch.Frequency);

        Assert.True(wait.IsCompleted);
        Assert.True(await wait);
    }

    [Fact]
    public async Task Many_waits_complete_with_true_when_their_time_comes()
    {
        await using var wheel = new TimingWheel(TimeSpan.FromMilliseconds(2), slotCount: 16);
        long now = Stopwatch.GetTimestamp();
        var waiters = Enumerable.Range(0, 200).Select(_ => new WheelWaiter()).ToArray();

        // Due times spread over more than one revolution (16 slots x 2 ms).
        var waits = waiters.Select((w, i) => wheel.DelayUntil(w, now + Stopwatch.Frequency * (i % 50) / 1000).AsTask()).ToArray();
        var results = await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(results, Assert.True);
        Assert.Equal(0, wheel.Scheduled);
    }

    [Fact]
    public async Task Interrupting_completes_pending_waits_with_false_and_the_wheel_keeps_working()
    {
        await using var wheel = new TimingWheel(TimeSpan.FromMilliseconds(5));
        var waiter = new WheelWaiter();
        var far = wheel.DelayUntil(waiter, Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3600);

        wheel.InterruptAll();

        Assert.False(await far.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await wheel.DelayUntil(waiter, Stopwatch.GetTimestamp()).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_poke_wakes_the_current_wait_early()
    {
        await using var wheel = new TimingWheel(TimeSpan.FromMilliseconds(5));
        var waiter = new WheelWaiter();
        var wait = wheel.DelayUntil(waiter, Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3600);

        waiter.Poke();

        Assert.False(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_stale_generation_cannot_fire_a_later_wait()
    {
        var waiter = new WheelWaiter();
        _ = waiter.Arm(out long first);
        waiter.Poke();                      // the first wait ends early; its wheel entry is still scheduled
        var second = waiter.Arm(out long current);

        Assert.False(waiter.TryFire(first, true));
        Assert.False(second.IsCompleted);
        Assert.True(waiter.TryFire(current, true));
        Assert.True(second.IsCompleted);
    }

    [Fact]
    public async Task After_disposal_waits_complete_at_once_with_false()
    {
        var wheel = new TimingWheel(TimeSpan.FromMilliseconds(5));
        var waiter = new WheelWaiter();
        var pending = wheel.DelayUntil(waiter, Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3600);

        await wheel.DisposeAsync();

        Assert.False(await pending);
        Assert.False(await wheel.DelayUntil(new WheelWaiter(), Stopwatch.GetTimestamp() + Stopwatch.Frequency));
    }
}

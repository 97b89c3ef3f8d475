using Ingest.AlarmEvents;
using Ingest.Spool;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Xunit.Abstractions;

namespace Ingest.Tests.AlarmEvents;

/// <summary>
/// Frames in the spool become alarm events at every destination: a ClickHouse table, a Redis stream and a signed
/// webhook, each phase once, also across a receiver outage and a detector restart.
/// </summary>
public sealed class AlarmEventTests(ITestOutputHelper output)
{
    private const string Vin1 = "LSVALARM000000001";
    private const string Vin2 = "LSVALARM000000002";
    private const uint Insulation = 1u << 11;
    private const uint TemperatureDifference = 1u << 0;

    [Fact]
    public async Task Level_3_starts_an_event_and_a_lower_level_ends_it_at_every_destination()
    {
        await using var h = await AlarmHarness.CreateAsync(output, o => o.GeneralFlags = []);
        await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 1, 0));
        long start = await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 3, 0));
        await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 3, 0)); // still level 3: no new event
        long end = await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 2, 0));

        await Eventually.TrueAsync(() => h.Receiver.Posts.Count >= 2, "start and end posted");
        var posts = h.Receiver.Posts.ToList();
        Assert.Equal(["start", "end"], posts.Select(p => p.Phase));
        Assert.All(posts, p => Assert.True(p.SignatureValid, "HMAC-SHA256 signature matches the secret"));
        Assert.All(posts, p => Assert.Equal("level3", p.Kind));
        Assert.Equal(posts[0].Id, posts[1].Id);
        Assert.Equal($"node1:{start}:level3:0", posts[0].Id);
        Assert.Equal(end, posts[1].Body.GetProperty("end_offset").GetInt64());

        await Eventually.TrueAsync(async () => await h.StoredEventsAsync() is [var stored] && stored.GetProperty("version").GetInt32() == 2
            && await h.StreamLengthAsync() == 2, "the ClickHouse row has its end and Redis has both entries");
        var row = Assert.Single(await h.StoredEventsAsync());
        Assert.Equal(posts[0].Id, row.GetProperty("event_id").GetString());
        Assert.Equal("level3", row.GetProperty("kind").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, row.GetProperty("ended_at").ValueKind);
        Assert.Equal(2, h.Recent.Newest(10, _ => true).Count);
    }

    [Fact]
    public async Task A_configured_general_flag_starts_and_ends_an_event_and_other_flags_do_not()
    {
        await using var h = await AlarmHarness.CreateAsync(output, o => { o.GeneralFlags = ["insulation"]; o.Level3 = false; });
        await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 1, TemperatureDifference));
        await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 1, TemperatureDifference | Insulation));
        await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 1, 0xFFFFFFFF)); // invalid flags say nothing
        await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 1, TemperatureDifference));

        await Eventually.TrueAsync(() => h.Receiver.Posts.Count >= 2, "start and end posted");
        var posts = h.Receiver.Posts.ToList();
        Assert.Equal(["start", "end"], posts.Select(p => p.Phase));
        Assert.All(posts, p => Assert.Equal("general_flag", p.Kind));
        Assert.All(posts, p => Assert.Equal("insulation", p.Detail));
        await Eventually.TrueAsync(async () => (await h.StoredEventsAsync()).Count == 1, "one ClickHouse event");
        Assert.Equal(11, Assert.Single(await h.StoredEventsAsync()).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Hj_MIL_on_and_each_new_DTC_are_events_that_end_when_they_clear()
    {
        await using var h = await AlarmHarness.CreateAsync(output);
        await h.AppendHjAsync(Vin2, 0);
        await h.AppendHjAsync(Vin2, 1, 0x00012345);
        await h.AppendHjAsync(Vin2, 1, 0x00012345, 0x0000ABCD);
        await h.AppendHjAsync(Vin2, 0xFE, 0x00012345, 0x0000ABCD); // MIL invalid: no change
        await h.AppendHjAsync(Vin2, 0);

        await Eventually.TrueAsync(() => h.Receiver.Posts.Count >= 6, "three starts and three ends posted");
        await Task.Delay(200); // nothing more arrives: counted exactly below
        var posts = h.Receiver.Posts.Select(p => (p.Kind, p.Phase, p.Detail)).ToList();
        Assert.Equal(
        [
            ("mil", "start", "MIL on"),
            ("dtc", "start", "0x00012345"),
            ("dtc", "start", "0x0000ABCD"),
            ("mil", "end", "MIL on"),
            ("dtc", "end", "0x0000ABCD"),
            ("dtc", "end", "0x00012345"),
        ], posts);
        Assert.All(h.Receiver.Posts, p => Assert.Equal(Vin2, p.Vin));
        await Eventually.TrueAsync(async () => (await h.StoredEventsAsync()).Count == 3, "three ClickHouse events, each ended");
        Assert.All(await h.StoredEventsAsync(), r => Assert.Equal(2, r.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task A_vehicle_silent_past_the_timeout_starts_a_silence_event_and_its_next_frame_ends_it()
    {
        await using var h = await AlarmHarness.CreateAsync(output, o => o.SilenceTimeout = TimeSpan.FromSeconds(1));
        long last = await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 0, 0));
        await h.AppendAsync(Frames.Login(Vin2));
        await h.AppendAsync(Frames.Logout(Vin2)); // logged out: not online, never silent

        await Eventually.TrueAsync(() => h.Receiver.Posts.Any(p => p.Kind == "silence"), "silence start posted");
        var start = Assert.Single(h.Receiver.Posts);
        Assert.Equal(("silence", "start", Vin1), (start.Kind, start.Phase, start.Vin));
        Assert.Equal($"node1:{last}:silence:0", start.Id);

        await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 0, 0));
        await Eventually.TrueAsync(() => h.Receiver.Posts.Count >= 2, "silence end posted");
        var end = h.Receiver.Posts.Last();
        Assert.Equal(("silence", "end", start.Id), (end.Kind, end.Phase, end.Id));
    }

    [Fact]
    public async Task While_the_receiver_is_down_events_wait_in_the_outbox_and_each_arrives_once_when_it_is_back()
    {
        await using var h = await AlarmHarness.CreateAsync(output, o => o.GeneralFlags = [], receiverUp: false);
        for (int v = 0; v < 5; v++)
        {
            string vin = $"LSVALARMDOWN0000{v}";
            await h.AppendAsync(AlarmHarness.GbAlarmFrame(vin, 3, 0));
            await h.AppendAsync(AlarmHarness.GbAlarmFrame(vin, 1, 0));
        }
        var webhook = h.Deliveries.Loops.Single(l => l.Name == AlarmOutbox.WebhookConsumer("test"));
        await Eventually.TrueAsync(() => webhook.ConsecutiveFailures >= 3, "the webhook delivery backs off while the receiver is down");
        // The other destinations and the detector do not wait for it.
        await Eventually.TrueAsync(async () => await h.StreamLengthAsync() == 10, "Redis has every phase meanwhile");
        Assert.Empty(h.Receiver.Posts);

        await h.Receiver.StartAsync();
        await Eventually.TrueAsync(() => h.Receiver.Posts.Count >= 10, "every phase posted once the receiver is back");
        await Eventually.TrueAsync(() => webhook.State == SpoolConsumerState.CaughtUp, "the webhook cursor caught up");
        var posts = h.Receiver.Posts.ToList();
        Assert.Equal(10, posts.Count);
        Assert.Equal(10, posts.Select(p => p.IdempotencyKey).Distinct().Count());
        Assert.All(posts, p => Assert.True(p.SignatureValid));
        Assert.Equal(5, posts.Count(p => p.Phase == "start"));
    }

    [Fact]
    public async Task A_restarted_detector_neither_repeats_nor_loses_events_even_when_its_cursor_lags_its_snapshot()
    {
        await using var h = await AlarmHarness.CreateAsync(output, o => o.GeneralFlags = []);
        long first = await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 3, 0));
        await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin2, 3, 0));
        await Eventually.TrueAsync(() => h.Receiver.Posts.Count >= 2, "two starts posted");
        await Eventually.TrueAsync(() => h.Detector.CommittedOffset == h.Detector.AppliedOffset, "the detector's cursor reached its snapshot");
        await h.StopAsync();

        // A crash can leave the spool cursor behind the snapshot (the cursor reaches the disk later): the records
        // between come again, and must not start the same alarms again.
        CursorFile.Write(Path.Combine(h.SpoolFolder, "consumers"), AlarmDetectorService.ConsumerName, first);
        await h.StartAsync();
        await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin1, 0, 0)); // ends Vin1's event, which started before the restart
        await h.AppendAsync(AlarmHarness.GbAlarmFrame(Vin2, 3, 0)); // still active: nothing

        await Eventually.TrueAsync(() => h.Receiver.Posts.Count >= 3, "the end posted after the restart");
        await Eventually.TrueAsync(() => h.Detector.CommittedOffset == h.Detector.AppliedOffset, "caught up");
        await Task.Delay(300); // nothing more arrives: counted exactly below
        var posts = h.Receiver.Posts.ToList();
        Assert.Equal(3, posts.Count);
        Assert.Equal([(Vin1, "start"), (Vin2, "start"), (Vin1, "end")], posts.Select(p => (p.Vin, p.Phase)));
        Assert.Equal(posts[0].Id, posts[2].Id);
        await Eventually.TrueAsync(async () => (await h.StoredEventsAsync()).Count == 2 && await h.StreamLengthAsync() == 3, "ClickHouse and Redis agree");
    }

    [Fact]
    public void Options_name_the_key_of_each_problem()
    {
        var options = new AlarmOptions
        {
            GeneralFlags = ["insulation", "no_such_flag"],
            Webhooks =
            [
                new AlarmWebhookOptions { Name = "a", Url = "ftp://x", Secret = "short" },
                new AlarmWebhookOptions { Name = "a", Url = "https://example.test/hook", Secret = "0123456789abcdef" },
            ],
        };
        var failures = new AlarmOptionsValidator().Validate(null, options).Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Alarms:GeneralFlags: 'no_such_flag'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alarms:Webhooks:0:Url", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alarms:Webhooks:0:Secret", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alarms:Webhooks: names must be unique", StringComparison.Ordinal));
        Assert.Equal(4, failures.Count);
        Assert.Equal((1u << 11), new AlarmOptions { GeneralFlags = ["insulation"] }.GeneralFlagMask());
    }

    [Fact]
    public void The_ClickHouse_kind_enum_matches_the_event_kinds()
    {
        foreach (var kind in Enum.GetValues<AlarmKind>())
        {
            Assert.Contains($"'{AlarmEvent.KindName(kind)}' = {(int)kind}", Ingest.Sinks.ClickHouse.Rows.AlarmEventRow.KindType, StringComparison.Ordinal);
        }
    }
}

using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Sinks.ClickHouse;

public sealed class ClickHouseFrameHistoryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 7, 1, 8, 0, 0, TimeSpan.Zero);
    private ClickHouseTestDatabase _db = null!;
    private ClickHouseFrameHistory _history = null!;

    public async Task InitializeAsync()
    {
        _db = await ClickHouseTestDatabase.CreateAsync();
        await new ClickHouseSchema(_db.Database).EnsureAsync(CancellationToken.None);
        _history = new ClickHouseFrameHistory(_db.Database);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Frames_of_one_vehicle_in_a_time_range_come_back_oldest_first_with_their_bytes()
    {
        await InsertFramesAsync(("LVIN0000000000001", 0), ("LVIN0000000000001", 60), ("LVIN0000000000002", 61), ("LVIN0000000000001", 120),
            ("LVIN0000000000001", 3600));

        var frames = await _history.GetFramesAsync("LVIN0000000000001", T0.AddSeconds(30), T0.AddSeconds(3600), 100, CancellationToken.None);

        Assert.Equal([T0.AddSeconds(60), T0.AddSeconds(120)], frames.Select(f => f.ReceivedAt));
        Assert.Equal([1L, 3L], frames.Select(f => f.SpoolOffset));
        Assert.Equal(FrameBytes(1), frames[0].Bytes);
        Assert.Equal(0x02, frames[0].Command);
    }

    [Fact]
    public async Task The_limit_caps_the_rows_returned()
    {
        await InsertFramesAsync(Enumerable.Range(0, 10).Select(i => ("LVIN0000000000001", i)).ToArray());

        var frames = await _history.GetFramesAsync("LVIN0000000000001", T0, T0.AddHours(1), 4, CancellationToken.None);

        Assert.Equal([0L, 1L, 2L, 3L], frames.Select(f => f.SpoolOffset));
    }

    [Fact]
    public async Task A_frame_inserted_twice_by_a_retry_is_returned_once()
    {
        await InsertFramesAsync(("LVIN0000000000001", 5));
        await InsertFramesAsync(("LVIN0000000000001", 5));

        var frames = await _history.GetFramesAsync("LVIN0000000000001", T0, T0.AddHours(1), 100, CancellationToken.None);

        Assert.Single(frames);
    }

    [Theory]
    [InlineData("X' OR 1=1 --")]
    [InlineData("a\\' OR vin != '")]
    [InlineData("tab\there\nnewline")]
    [InlineData("唐VIN'\\\\")]
    public async Task A_vin_with_quotes_backslashes_or_control_characters_is_matched_literally(string vin)
    {
        await InsertFramesAsync(("LVIN0000000000001", 0), (vin, 1));

        var frames = await _history.GetFramesAsync(vin, T0, T0.AddHours(1), 100, CancellationToken.None);

        Assert.Equal([1L], frames.Select(f => f.SpoolOffset));
    }

    private async Task InsertFramesAsync(params (string Vin, int Second)[] frames)
    {
        var rows = new ClickHouseRowBuffers();
        for (int i = 0; i < frames.Length; i++)
        {
            rows.FramesRaw.Add(new FrameRawRow
            {
                Node = "n", SpoolOffset = i, Vin = frames[i].Vin, ReceivedAt = T0.AddSeconds(frames[i].Second), Command = 0x02,
                FrameBytes = FrameBytes(i),
            });
        }
        await _db.Database.InsertAsync(rows.FramesRaw, "test-" + Guid.NewGuid().ToString("N"), CancellationToken.None);
    }

    private static byte[] FrameBytes(int offset) => [0x23, 0x23, 0x02, 0xFE, (byte)offset, 0x00, 0xFF];
}

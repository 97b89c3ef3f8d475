using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using LoadGen.Checks;
using LoadGen.Fleet;
using LoadGen.Frames;
using LoadGen.Platform;

namespace LoadGen.Tests.Servers;

public class PlatformServerTests
{
    private static readonly Vin PlatformCode = Vin.Parse("PLATFORM000000001");
    private static readonly DateTimeOffset At = DateTimeOffset.UtcNow;

    /// <summary>A platform login 0x05 as the forwarder sends it: time, serial, 12-byte user, 20-byte password, encryption rule.</summary>
    private static byte[] PlatformLogin(string user, string password)
    {
        var data = new byte[41];
        GbTime.FromDateTimeOffset(At).Write(data);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(6), 1);
        Encoding.ASCII.GetBytes(user).CopyTo(data, 8);
        Encoding.ASCII.GetBytes(password).CopyTo(data, 20);
        data[40] = Gb32960Encryption.None;
        return Frame(Commands.PlatformLogin, data);
    }

    private static byte[] Frame(byte command, byte[] data)
    {
        var header = new FrameHeader(FrameMarker.Hash, HeaderLayout.Gb32960, command, Gb32960ResponseFlags.Command, PlatformCode, 0, Gb32960Encryption.None, 0);
        var frame = new byte[FrameHeader.Overhead + data.Length];
        FrameEncoding.Write(frame, header, data);
        return frame;
    }

    private static async Task<FrameHeader> ReadReplyAsync(NetworkStream stream)
    {
        var head = new byte[FrameHeader.Size];
        await stream.ReadExactlyAsync(head).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        int length = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(22));
        var rest = new byte[length + 1];
        await stream.ReadExactlyAsync(rest).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        byte[] frame = [.. head, .. rest];
        Assert.True(WholeFrame.TryValidate(frame, FramingOptions.Default, out var header, out var error), error.ToString());
        return header;
    }

    [Fact]
    public async Task Login_heartbeat_relayed_frames_and_logout_are_answered_and_recorded()
    {
        await using var platform = PlatformServer.Start(new PlatformOptions { Username = "relay", Password = "secret" });
        using var client = new TcpClient();
        await client.ConnectAsync(platform.EndPoint);
        var stream = client.GetStream();

        await stream.WriteAsync(PlatformLogin("relay", "secret"));
        var login = await ReadReplyAsync(stream);
        var relayed = new List<FrameTemplate>();
        foreach (var (vin, protocol) in new[] { ("LZYTBGBW6J1014194", TerminalProtocol.Gb2016), ("LGDCH91G8KA141269", TerminalProtocol.Hj1239) })
        {
            var frames = TerminalFrames.Build(protocol, vin, new FrameShape(), 1);
            frames.Data.Stamp(Commands.Realtime, At, At, 1);
            await stream.WriteAsync(frames.Data.Memory);
            await stream.WriteAsync(frames.Data.Memory);
            frames.Data.Stamp(Commands.Reissue, At, At.AddMinutes(-1), 2);
            await stream.WriteAsync(frames.Data.Memory);
        }
        await stream.WriteAsync(Frame(Commands.Heartbeat, []));
        var heartbeat = await ReadReplyAsync(stream);          // in order: every relayed frame before it was taken
        await stream.WriteAsync(Frame(Commands.PlatformLogout, new byte[8]));
        var logout = await ReadReplyAsync(stream);

        Assert.Equal((Commands.PlatformLogin, Gb32960ResponseFlags.Success), (login.Command, login.ResponseFlag));
        Assert.Equal(6, login.DataLength); // the platform time only: the request holds the password
        Assert.Equal((Commands.Heartbeat, Gb32960ResponseFlags.Success, 0), (heartbeat.Command, heartbeat.ResponseFlag, heartbeat.DataLength));
        Assert.Equal(Commands.PlatformLogout, logout.Command);
        var record = platform.Snapshot();
        Assert.Equal(1, record.LoginsAccepted);
        Assert.Equal(1, record.Heartbeats);
        Assert.Equal(1, record.Logouts);
        Assert.Equal(6, record.Frames);
        Assert.Equal(0, record.FramesBeforeLogin);
        Assert.Equal(2, record.Vins["LZYTBGBW6J1014194"]["0x02"]);
        Assert.Equal(1, record.Vins["LZYTBGBW6J1014194"]["0x03"]);
        Assert.Equal(2, record.Vins["LGDCH91G8KA141269"]["0x02"]);
        Assert.Equal(4, record.Commands["0x02"]);
    }

    [Theory]
    [InlineData("relay", "wrong", null, 0x02)]
    [InlineData("someone", "secret", null, 0x02)]
    [InlineData("relay", "secret", (byte)0x03, 0x03)]
    public async Task A_login_with_wrong_credentials_or_a_configured_failure_is_refused(string user, string password, byte? configured, byte expected)
    {
        await using var platform = PlatformServer.Start(new PlatformOptions
        {
            Username = "relay",
            Password = "secret",
            LoginResult = configured ?? Gb32960ResponseFlags.Success,
        });
        using var client = new TcpClient();
        await client.ConnectAsync(platform.EndPoint);
        var stream = client.GetStream();

        await stream.WriteAsync(PlatformLogin(user, password));
        var reply = await ReadReplyAsync(stream);

        Assert.Equal(expected, reply.ResponseFlag);
        Assert.Equal(1, platform.Snapshot().LoginsRejected);
    }

    [Fact]
    public async Task Frames_before_a_login_are_counted_as_such_and_can_be_answered_one_by_one()
    {
        await using var platform = PlatformServer.Start(new PlatformOptions { ReplyPerFrame = true });
        using var client = new TcpClient();
        await client.ConnectAsync(platform.EndPoint);
        var stream = client.GetStream();
        var frames = TerminalFrames.Build(TerminalProtocol.Gb2016, "LZYTBGBW6J1014194", new FrameShape(), 1);
        frames.Data.Stamp(Commands.Realtime, At, At, 1);

        await stream.WriteAsync(frames.Data.Memory);
        var reply = await ReadReplyAsync(stream);

        Assert.Equal((Commands.Realtime, Gb32960ResponseFlags.Success, 6), (reply.Command, reply.ResponseFlag, reply.DataLength));
        Assert.Equal(1, platform.Snapshot().FramesBeforeLogin);
    }

    [Fact]
    public async Task The_record_file_is_written_on_stop_and_checks_against_a_fleet()
    {
        string path = Path.Combine(Path.GetTempPath(), $"loadgen-record-{Guid.NewGuid():N}.json");
        try
        {
            var platform = PlatformServer.Start(new PlatformOptions { RecordPath = path, RecordInterval = TimeSpan.FromMinutes(10) });
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(platform.EndPoint);
                var stream = client.GetStream();
                await stream.WriteAsync(PlatformLogin("u", "p"));
                await ReadReplyAsync(stream);
                var frames = TerminalFrames.Build(TerminalProtocol.Gb2016, "LZYTBGBW6J1014194", new FrameShape(), 1);
                frames.Data.Stamp(Commands.Realtime, At, At, 1);
                for (int i = 0; i < 3; i++)
                {
                    await stream.WriteAsync(frames.Data.Memory);
                }
                await stream.WriteAsync(Frame(Commands.Heartbeat, []));
                await ReadReplyAsync(stream);
            }
            await platform.DisposeAsync();

            var record = PlatformRecord.ReadFrom(path);
            var acked = new TerminalResult("LZYTBGBW6J1014194", TerminalProtocol.Gb2016,
                new Dictionary<byte, int> { [Commands.Realtime] = 3 }, new Dictionary<byte, int> { [Commands.Realtime] = 3 });
            var more = acked with { AcknowledgedByCommand = new Dictionary<byte, int> { [Commands.Realtime] = 4 }, SentByCommand = new Dictionary<byte, int> { [Commands.Realtime] = 4 } };

            Assert.Equal(3, record.Frames);
            Assert.True(PlatformRecordCheck.Compare(record, path, [acked], PlatformRecordCheck.DefaultRelayedCommands, TimeSpan.Zero).Passed);
            var short1 = PlatformRecordCheck.Compare(record, path, [more], PlatformRecordCheck.DefaultRelayedCommands, TimeSpan.Zero);
            Assert.False(short1.Passed);
            Assert.Equal(1, short1.MissingFrames);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_record_survives_a_json_round_trip()
    {
        var record = new PlatformRecord
        {
            EndPoint = "127.0.0.1:20000",
            Frames = 5,
            Commands = new Dictionary<string, long> { ["0x02"] = 5 },
            Vins = new Dictionary<string, IReadOnlyDictionary<string, long>> { ["LZYTBGBW6J1014194"] = new Dictionary<string, long> { ["0x02"] = 5 } },
        };

        var back = PlatformRecord.FromJson(record.ToJson());

        Assert.Equal(5, back.Received("LZYTBGBW6J1014194", [Commands.Realtime, Commands.Reissue]));
        Assert.Equal(0, back.Received("LA9DHKMT5HBJXK236", [Commands.Realtime]));
        Assert.Contains("\"vins\"", record.ToJson());
    }
}

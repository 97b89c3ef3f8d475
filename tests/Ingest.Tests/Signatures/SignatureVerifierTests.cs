using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Protocol.Framing;
using Ingest.Records;
using Ingest.Registry;
using Ingest.Signatures;
using Ingest.Spool;
using Ingest.Tests.Support;
using LoadGen.Frames;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Signatures;

public sealed class SignatureVerifierTests : IDisposable
{
    private const string Vin = "LGDCH91G8KA141269";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ingest-tests", "sig-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_registry_change_takes_effect_on_the_next_frame()
    {
        var registry = VehicleRegistry.Open(new RegistryFile(Path.Combine(_folder, "registry.json")));
        using var verifier = new SignatureVerifier(registry, NullLogger<SignatureVerifier>.Instance);
        var chip = new Sm2FrameSigner("CHIP000000000007");
        var frames = TerminalFrames.Build(TerminalProtocol.Hj1239, Vin, new FrameShape(), seed: 4);
        frames.Data.Stamp(DateTimeOffset.UtcNow, 1);
        var frame = chip.Sign(frames.Data.Span, ListenerProtocol.Hj1239);
        var header = FrameHeader.Read(frame, HeaderLayout.Hj1239);

        Assert.Equal(SignatureVerdict.NoKey, verifier.Verify(frame, header, ListenerProtocol.Hj1239)); // not filed (cached as such)
        await registry.UpsertAsync([new VehicleFiling(Vin, "t", ChipId: chip.ChipId, Sm2PublicKey: chip.PublicKey)]);
        Assert.Equal(SignatureVerdict.Valid, verifier.Verify(frame, header, ListenerProtocol.Hj1239));
        await registry.UpsertAsync([new VehicleFiling(Vin, "t", ChipId: "CHIP000000000008", Sm2PublicKey: chip.PublicKey)]);
        Assert.Equal(SignatureVerdict.Invalid, verifier.Verify(frame, header, ListenerProtocol.Hj1239)); // another user id
        await registry.UpsertAsync([new VehicleFiling(Vin, "t", ChipId: chip.ChipId, Sm2PublicKey: [0x04, 1, 2, 3])]);
        Assert.Equal(SignatureVerdict.NoKey, verifier.Verify(frame, header, ListenerProtocol.Hj1239)); // a key that is no point
        await registry.RemoveAsync([Vin]);
        Assert.Equal(SignatureVerdict.NoKey, verifier.Verify(frame, header, ListenerProtocol.Hj1239));
    }

    [Fact]
    public async Task An_encrypted_data_frame_of_a_vehicle_with_a_key_shows_no_signature_and_is_missing()
    {
        var registry = VehicleRegistry.Open(new RegistryFile(Path.Combine(_folder, "registry.json")));
        using var verifier = new SignatureVerifier(registry, NullLogger<SignatureVerifier>.Instance);
        var chip = new Sm2FrameSigner("CHIP000000000007");
        var frames = TerminalFrames.Build(TerminalProtocol.Hj1239, Vin, new FrameShape(), seed: 4);
        frames.Data.Stamp(DateTimeOffset.UtcNow, 1);
        var frame = chip.Sign(frames.Data.Span, ListenerProtocol.Hj1239);
        frame[21] = Gb32960Encryption.Aes128OrSm2; // HJ mode 3: SM2-encrypted data unit
        Sm2FrameSigner.FixCheckByte(frame);
        var header = FrameHeader.Read(frame, HeaderLayout.Hj1239);

        Assert.Equal(SignatureVerdict.Unsigned, verifier.Verify(frame, header, ListenerProtocol.Hj1239)); // no key: nothing to demand
        await registry.UpsertAsync([new VehicleFiling(Vin, "t", ChipId: chip.ChipId, Sm2PublicKey: chip.PublicKey)]);
        Assert.Equal(SignatureVerdict.Missing, verifier.Verify(frame, header, ListenerProtocol.Hj1239)); // refused under Reject
    }

    [Fact]
    public void A_record_refused_for_its_signature_gives_no_live_state_and_only_a_quarantine_row()
    {
        var frames = TerminalFrames.Build(TerminalProtocol.Hj1239, Vin, new FrameShape(), seed: 4);
        frames.Data.Stamp(DateTimeOffset.UtcNow, 1);
        var frame = frames.Data.Span;
        var payload = new byte[FrameEnvelope.SizeFor(frame.Length)];
        FrameEnvelope.WriteHeader(payload, ListenerProtocol.Hj1239, 1_700_000_000_000, 1, 7000, EnvelopeSignatures.ToFlags(EnvelopeSignature.Rejected));
        frame.CopyTo(payload.AsSpan(FrameEnvelope.HeaderSize));
        var record = new SpoolRecord(0, payload.Length, payload);
        var options = Options.Create(new IngestOptions { NodeName = "n" });

        var rows = new Ingest.Sinks.ClickHouse.Rows.ClickHouseRowBuffers();
        new ClickHouseRowProjector(options).Project(record, rows);

        Assert.False(new VehicleStateProjector(options).TryProject(record, out _));
        Assert.Equal((0, 0, 1), (rows.FramesRaw.Count, rows.EmissionSamples.Count, rows.Quarantine.Count));
        Assert.True(FrameEnvelope.TryRead(payload, out var envelope) && EnvelopeSignatures.IsQuarantined(envelope));
    }
}

using Ingest.Forwarder.Filters;
using Ingest.Hosting;
using Ingest.Records;
using Ingest.Registry;
using Ingest.Relay;
using Ingest.Tests.Support;

namespace Ingest.Tests.Forwarder;

/// <summary>What the registry lets one link relay: unfiled frames only on request, and with RelayOnlyFiledWith only the
/// vehicles filed with the link's platform, following registry changes without a restart.</summary>
public sealed class RegistryRelayFilterTests : IDisposable
{
    private const string Vin = "LRELAYFILED000001";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ingest-tests", "relayfilter-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private static FrameEnvelope Envelope(string vin, EnvelopeFlags flags)
    {
        var frame = Frames.Realtime(vin);
        var payload = new byte[FrameEnvelope.SizeFor(frame.Length)];
        FrameEnvelope.WriteHeader(payload, ListenerProtocol.Gb32960, 0, 1, 32960, flags);
        frame.CopyTo(payload.AsSpan(FrameEnvelope.HeaderSize));
        Assert.True(FrameEnvelope.TryRead(payload, out var envelope));
        return envelope;
    }

    [Fact]
    public void Unfiled_frames_pass_only_when_the_link_asks_for_them()
    {
        var registry = VehicleRegistry.Open(new RegistryFile(Path.Combine(_folder, "registry.json")));
        using var strict = new RegistryRelayFilter("national", new RelayFilterOptions(), registry);
        using var lenient = new RegistryRelayFilter("national", new RelayFilterOptions { RelayUnfiled = true }, registry);

        Assert.False(strict.Accepts(Envelope(Vin, EnvelopeFlags.Unfiled)));
        Assert.True(strict.Accepts(Envelope(Vin, EnvelopeFlags.None)));
        Assert.True(lenient.Accepts(Envelope(Vin, EnvelopeFlags.Unfiled)));
    }

    [Fact]
    public async Task With_RelayOnlyFiledWith_a_vehicle_passes_only_while_its_filing_names_the_link()
    {
        var registry = VehicleRegistry.Open(new RegistryFile(Path.Combine(_folder, "registry.json")));
        await registry.UpsertAsync([new VehicleFiling(Vin, "oem-a", Platforms: ["provincial"])]);
        using var national = new RegistryRelayFilter("national", new RelayFilterOptions { RelayOnlyFiledWith = true }, registry);
        using var everyFiled = new RegistryRelayFilter("national", new RelayFilterOptions(), registry);
        var envelope = Envelope(Vin, EnvelopeFlags.None);

        Assert.False(national.Accepts(envelope));
        Assert.True(everyFiled.Accepts(envelope));

        await registry.UpsertAsync([new VehicleFiling(Vin, "oem-a", Platforms: ["provincial", "National"])]);
        Assert.True(national.Accepts(envelope));

        await registry.RemoveAsync([Vin]);
        Assert.False(national.Accepts(envelope));
    }
}

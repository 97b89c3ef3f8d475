using System.Collections.Frozen;
using Ingest.Forwarder.Filters;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Registry;

namespace Ingest.Relay;

/// <summary>
/// The registry's say in what one link relays: frames marked unfiled only when the link sets
/// <see cref="RelayFilterOptions.RelayUnfiled"/>, and with <see cref="RelayFilterOptions.RelayOnlyFiledWith"/> only
/// vehicles filed with this link's platform. The set of those VINs is rebuilt on every registry change (rare) and
/// read without a lock or an allocation per frame.
/// </summary>
public sealed class RegistryRelayFilter : IDisposable
{
    private static readonly FramingOptions AnyFrame = new() { MaxFrameBytes = FrameHeader.Overhead + FrameHeader.MaxDataLength };

    private readonly string _link;
    private readonly bool _relayUnfiled;
    private readonly IVehicleRegistry? _registry;
    private volatile FrozenSet<Vin>? _filedWithLink;

    public RegistryRelayFilter(string link, RelayFilterOptions options, IVehicleRegistry registry)
    {
        _link = link;
        _relayUnfiled = options.RelayUnfiled;
        if (options.RelayOnlyFiledWith)
        {
            _registry = registry;
            _registry.Changed += OnChanged;
            Rebuild();
        }
    }

    public bool Accepts(in FrameEnvelope envelope)
    {
        if ((envelope.Flags & EnvelopeFlags.Unfiled) != 0 && !_relayUnfiled)
        {
            return false;
        }
        if (_filedWithLink is { } filed)
        {
            // The link validates every frame again before it sends it; a record that is no frame is left to it.
            return !WholeFrame.TryValidate(envelope.Frame.Span, AnyFrame, out var header, out _) || filed.Contains(header.Vin);
        }
        return true;
    }

    private void OnChanged(IReadOnlyCollection<string> vins) => Rebuild();

    private void Rebuild()
    {
        var vins = new List<Vin>();
        foreach (var filing in _registry!.List())
        {
            if (filing.IsFiledWith(_link))
            {
                try
                {
                    vins.Add(Vin.Parse(filing.Vin));
                }
                catch (FormatException)
                {
                    // not a VIN any terminal could send
                }
            }
        }
        _filedWithLink = vins.ToFrozenSet();
    }

    public void Dispose()
    {
        if (_registry is not null)
        {
            _registry.Changed -= OnChanged;
        }
    }
}

using Ingest.Hosting;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;

namespace Ingest.Projection;

/// <summary>
/// How each listener delimits HJ 1239 items of reserved and user-defined info types
/// (<see cref="ListenerOptions.Hj1239UserItems"/>), looked up by the port a record arrived on, so that the storage
/// projections walk a frame's items exactly as that listener's decoder does. A port no listener has (a record from an
/// older configuration) gets the decoder's default.
/// </summary>
internal sealed class HjUserItemLayouts
{
    private readonly Dictionary<int, Hj1239UserItemLayout> _byPort;

    public HjUserItemLayouts(IEnumerable<ListenerOptions> listeners) =>
        _byPort = listeners.Where(l => l.Port != 0).GroupBy(l => l.Port).ToDictionary(g => g.Key, g => g.First().Hj1239UserItems);

    public Hj1239UserItemLayout For(int port) => _byPort.GetValueOrDefault(port, Hj1239UserItemLayout.LengthPrefixed);
}

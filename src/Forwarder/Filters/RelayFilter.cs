using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace Ingest.Forwarder.Filters;

/// <summary>Decides per frame header whether a link relays it. Built once from options; lookups allocate nothing.</summary>
public sealed class RelayFilter
{
    private readonly HashSet<Vin>? _vins;
    private readonly bool[] _commands = new bool[256];
    private readonly bool _hj;

    public RelayFilter(RelayFilterOptions options)
    {
        _vins = options.Vins.Count == 0 ? null : options.Vins.Select(Vin.Parse).ToHashSet();
        foreach (var c in options.Commands)
        {
            _commands[c] = true;
        }
        _hj = options.IncludeHj1239;
    }

    public bool Accepts(in FrameHeader header)
    {
        if (header.Layout == HeaderLayout.Hj1239 && !_hj)
        {
            return false;
        }
        // Only commands from terminals are relayed, never their answers to downlink commands.
        return header.IsCommand && _commands[header.Command] && (_vins is null || _vins.Contains(header.Vin));
    }
}

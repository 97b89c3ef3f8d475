using System.Net;
using LoadGen.Frames;

namespace LoadGen.Fleet;

/// <summary>
/// A default ingest server (src/Ingest/appsettings.json) has one port per protocol family: GB/T 32960 on 32960 and
/// HJ 1239 on 12390. A fleet aimed at the GB default port sends its HJ 1239 terminals to the HJ default port on the
/// same host unless told otherwise, so `fleet -n 300` against a default `serve` works as it is.
/// </summary>
public static class ServerDefaultTargets
{
    public const int GbPort = 32960;
    public const int HjPort = 12390;

    public static IReadOnlyDictionary<TerminalProtocol, IPEndPoint> Complete(IPEndPoint target, IReadOnlyDictionary<TerminalProtocol, IPEndPoint> explicitTargets)
    {
        if (target.Port != GbPort || explicitTargets.ContainsKey(TerminalProtocol.Hj1239))
        {
            return explicitTargets;
        }
        return new Dictionary<TerminalProtocol, IPEndPoint>(explicitTargets)
        {
            [TerminalProtocol.Hj1239] = new IPEndPoint(target.Address, HjPort),
        };
    }
}

using System.Net;
using System.Net.Sockets;

namespace LoadGen.Safety;

/// <summary>
/// The load generator only ever talks to this machine: every target, bind and source address must be in
/// 127.0.0.0/8 or be ::1. Anything else is refused before a socket is opened, with a message that says why.
/// </summary>
public static class LoopbackGuard
{
    public static bool IsLoopback(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return address.GetAddressBytes()[0] == 127;
        }
        return address.Equals(IPAddress.IPv6Loopback);
    }

    /// <summary>Parses "host:port" (host an IP literal or "localhost"; IPv6 as "[::1]:port") and checks it is loopback.</summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint endpoint, out string error)
    {
        endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        string host;
        string portText;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = $"'{text}' is not an endpoint: write [::1]:PORT for IPv6.";
                return false;
            }
            host = text[1..close];
            portText = text[(close + 2)..];
        }
        else
        {
            int colon = text.LastIndexOf(':');
            if (colon <= 0)
            {
                error = $"'{text}' is not an endpoint: write HOST:PORT, for example 127.0.0.1:32960.";
                return false;
            }
            host = text[..colon];
            portText = text[(colon + 1)..];
        }
        if (!int.TryParse(portText, out int port) || port is < 1 or > 65535)
        {
            error = $"'{text}': the port must be 1-65535.";
            return false;
        }
        if (!TryParseAddress(host, out var address, out error))
        {
            return false;
        }
        endpoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>Parses an IP literal or "localhost" and checks it is loopback.</summary>
    public static bool TryParseAddress(string host, out IPAddress address, out string error)
    {
        address = IPAddress.Loopback;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            error = "";
            return true;
        }
        if (!IPAddress.TryParse(host, out var parsed))
        {
            error = $"'{host}' is not an IP address. Only loopback addresses (127.0.0.0/8, ::1 or localhost) are allowed; host names are not resolved.";
            return false;
        }
        if (!IsLoopback(parsed))
        {
            error = $"Refusing {host}: the load generator only sends traffic to loopback addresses (127.0.0.0/8 or ::1).";
            return false;
        }
        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        error = "";
        return true;
    }

    /// <summary>Checks an http:// URL (the ClickHouse HTTP interface) names a loopback host.</summary>
    public static bool TryCheckUrl(string text, out Uri uri, out string error)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out uri!) || uri.Scheme != Uri.UriSchemeHttp)
        {
            error = $"'{text}' is not an absolute http:// URL.";
            return false;
        }
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        return TryParseAddress(host, out _, out error);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="endpoint"/> is loopback.</summary>
    public static void Require(IPEndPoint endpoint, string what)
    {
        if (!IsLoopback(endpoint.Address))
        {
            throw new ArgumentException($"Refusing {what} {endpoint}: the load generator only uses loopback addresses (127.0.0.0/8 or ::1).");
        }
    }

    public static void Require(IPAddress address, string what)
    {
        if (!IsLoopback(address))
        {
            throw new ArgumentException($"Refusing {what} {address}: the load generator only uses loopback addresses (127.0.0.0/8 or ::1).");
        }
    }
}

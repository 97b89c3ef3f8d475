using System.Net;

namespace Ingest.Http;

/// <summary>The IP address of an HTTP URL (Kestrel listens on addresses, not names; "localhost" is loopback).</summary>
public static class HttpAddress
{
    public static bool TryParseHost(Uri uri, out IPAddress address)
    {
        if (uri.Host == "localhost")
        {
            address = IPAddress.Loopback;
            return true;
        }
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out address!);
    }
}

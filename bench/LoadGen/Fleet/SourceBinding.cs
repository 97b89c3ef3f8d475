using System.Net;
using System.Net.Sockets;

namespace LoadGen.Fleet;

/// <summary>
/// Binds a client socket to one of several loopback source addresses before connecting, so that the fleet is
/// not limited to the ephemeral ports of one address. On Linux IP_BIND_ADDRESS_NO_PORT defers the port choice to
/// connect(), so each (source, target) pair gets the whole ephemeral range.
/// </summary>
internal static class SourceBinding
{
    private const int IpProtocolLevel = 0;       // IPPROTO_IP
    private const int BindAddressNoPort = 24;    // IP_BIND_ADDRESS_NO_PORT (Linux >= 4.2)

    public static void Bind(Socket socket, IPAddress source)
    {
        if (socket.AddressFamily != source.AddressFamily)
        {
            return;
        }
        if (OperatingSystem.IsLinux() && source.AddressFamily == AddressFamily.InterNetwork)
        {
            try
            {
                socket.SetRawSocketOption(IpProtocolLevel, BindAddressNoPort, BitConverter.GetBytes(1));
            }
            catch (SocketException)
            {
                // Older kernels: binding still works, with one port range per source address.
            }
        }
        socket.Bind(new IPEndPoint(source, 0));
    }
}

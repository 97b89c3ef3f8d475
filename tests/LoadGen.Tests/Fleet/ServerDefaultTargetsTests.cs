using System.Net;
using LoadGen.Fleet;
using LoadGen.Frames;

namespace LoadGen.Tests.Fleet;

/// <summary>`fleet` against a default server: HJ 1239 terminals go to the HJ port unless a target says otherwise.</summary>
public class ServerDefaultTargetsTests
{
    private static readonly Dictionary<TerminalProtocol, IPEndPoint> None = [];

    [Fact]
    public void Hj_terminals_aimed_at_the_default_gb_port_go_to_the_default_hj_port_on_the_same_host()
    {
        var targets = ServerDefaultTargets.Complete(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 32960), None);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 12390), targets[TerminalProtocol.Hj1239]);
        Assert.False(targets.ContainsKey(TerminalProtocol.Gb2016));
    }

    [Fact]
    public void An_explicit_hj_target_or_another_port_is_left_alone()
    {
        var hj = new IPEndPoint(IPAddress.Loopback, 40001);
        Assert.Equal(hj, ServerDefaultTargets.Complete(new IPEndPoint(IPAddress.Loopback, 32960),
            new Dictionary<TerminalProtocol, IPEndPoint> { [TerminalProtocol.Hj1239] = hj })[TerminalProtocol.Hj1239]);
        Assert.Empty(ServerDefaultTargets.Complete(new IPEndPoint(IPAddress.Loopback, 40000), None));
    }
}

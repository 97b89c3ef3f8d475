using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Ingest.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Sessions;

/// <summary>
/// Connections are bounded by the process's descriptor limit, not only by configuration: at EMFILE Kestrel's accept
/// loop spins and the spool cannot open its next segment, so the server must refuse connections well before it.
/// </summary>
public class ConnectionLimitTests
{
    /// <summary>A VIN per terminal: a second connection for the same VIN would replace the first.</summary>
    private static string VinOf(int i) => $"LZYTUGEW5G1{i:D6}";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(20_000ul, 1_000, 19_000)]      // this machine: 5 % is more than the minimum
    [InlineData(1_024ul, 288, 736)]            // a common default soft limit: the minimum reserve applies
    [InlineData(300ul, 288, 12)]
    [InlineData(200ul, 288, 0)]                // below the reserve: no terminal connection at all
    [InlineData(1_048_576ul, 52_429, 996_147)] // 5 % rounded up
    public void The_budget_is_the_soft_limit_less_max_288_or_5_percent(ulong soft, int reserve, int connections)
    {
        var budget = ConnectionBudget.Derive(new DescriptorLimit(soft, soft * 2));

        Assert.Equal(reserve, budget.Reserve);
        Assert.Equal(connections, budget.MaxConnections);
    }

    [Fact]
    public void An_unknown_limit_leaves_connections_to_configuration()
    {
        var budget = ConnectionBudget.Derive(null);

        Assert.Equal(int.MaxValue, budget.MaxConnections);
        Assert.True(budget.TryTake());
    }

    [Fact]
    public void The_limit_of_this_process_is_read_and_its_soft_limit_is_at_least_what_it_was()
    {
        var limit = DescriptorLimit.ReadAndRaise();

        Assert.NotNull(limit); // Linux
        Assert.True(limit.Value.Soft <= limit.Value.Hard);
        Assert.True(DescriptorLimit.ReadAndRaise()!.Value.Soft >= limit.Value.Soft); // raised, never lowered
    }

    [Fact]
    public async Task Start_is_refused_with_one_clear_line_when_configured_connections_add_up_past_the_descriptor_limit()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var server = await TestServer.StartAsync(new()
            {
                ["Ingest:Listeners:0:MaxConnections"] = "400",
                ["Ingest:Listeners:1:Address"] = "127.0.0.1",
                ["Ingest:Listeners:1:Port"] = "0",
                ["Ingest:Listeners:1:MaxConnections"] = "400",
            }, services: s => s.AddSingleton(ConnectionBudget.Derive(new DescriptorLimit(1_000, 1_000))));
        });

        var message = Assert.Single(error.Failures);
        Assert.DoesNotContain('\n', message);
        Assert.Contains("MaxConnections adds up to 800", message);
        Assert.Contains("1000 file descriptors", message);
        Assert.Contains("at most 712 connections", message);
    }

    [Fact]
    public async Task The_server_under_ulimit_n_300_refuses_to_start_with_max_connections_1000_and_says_why_in_one_line()
    {
        var settings = new Dictionary<string, string>
        {
            ["Ingest:HttpUrl"] = $"http://127.0.0.1:{IngestProcess.FreePort()}",
            ["Ingest:Listeners:0:Address"] = "127.0.0.1",
            ["Ingest:Listeners:0:Port"] = IngestProcess.FreePort().ToString(),
            ["Ingest:Listeners:0:MaxConnections"] = "1000",
            ["Ingest:Listeners:1:Address"] = "127.0.0.1",
            ["Ingest:Listeners:1:Port"] = IngestProcess.FreePort().ToString(),
            ["Spool:Directory"] = Path.Combine(Path.GetTempPath(), "ingest-tests", "fd-" + Guid.NewGuid().ToString("N")),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => IngestProcess.StartAsync(settings, descriptorLimit: 300));

        Assert.Contains("exited with 2", error.Message);
        Assert.Contains("ingest: configuration refused: Ingest:Listeners:N:MaxConnections adds up to 1000 connections, but this process may open 300 file descriptors", error.Message);
        Assert.DoesNotContain("   at ", error.Message); // no stack trace
    }

    [Fact]
    public async Task An_unset_max_connections_is_the_descriptor_budget_shared_by_all_listeners()
    {
        await using var server = await TestServer.StartAsync(new()
        {
            ["Ingest:Listeners:1:Address"] = "127.0.0.1",
            ["Ingest:Listeners:1:Port"] = "0",
        }, services: s => s.AddSingleton(ConnectionBudget.Derive(new DescriptorLimit(291, 291)))); // 3 connections in all
        await using var a = await TestTerminal.ConnectAsync(server.Port(0));
        await using var b = await TestTerminal.ConnectAsync(server.Port(1));
        await using var c = await TestTerminal.ConnectAsync(server.Port(1));
        var held = new[] { a, b, c };
        for (int i = 0; i < held.Length; i++)
        {
            await held[i].SendAsync(Frames.Heartbeat(VinOf(i)));
            Assert.NotNull(await held[i].ReadFrameAsync(Wait));
        }

        var d = await ConnectOrNullIfResetAsync(server.Port(0)); // listener 0 holds one of its 3, but the process holds 3

        Assert.True(d is null || await d.WaitForCloseAsync(Wait));
        if (d is not null)
        {
            await d.DisposeAsync();
        }
        Assert.Equal(3, server.Listener(0).MaxConnections);
        await a.SendAsync(Frames.Heartbeat(VinOf(0)));
        Assert.NotNull(await a.ReadFrameAsync(Wait));
    }

    /// <summary>A connection refused at accept may be reset before the client's connect completes.</summary>
    private static async Task<TestTerminal?> ConnectOrNullIfResetAsync(int port)
    {
        try
        {
            return await TestTerminal.ConnectAsync(port);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Under_ulimit_n_300_connections_past_the_derived_limit_are_refused_while_the_others_are_served_and_nothing_spins()
    {
        const int limit = 300;
        int expected = ConnectionBudget.Derive(new DescriptorLimit(limit, limit)).MaxConnections; // 12
        string spool = Path.Combine(Path.GetTempPath(), "ingest-tests", "fd-" + Guid.NewGuid().ToString("N"));
        int gbPort = IngestProcess.FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Ingest:NodeName"] = "fd-limit",
            ["Ingest:HttpUrl"] = $"http://127.0.0.1:{IngestProcess.FreePort()}",
            ["Ingest:Listeners:0:Address"] = "127.0.0.1",
            ["Ingest:Listeners:0:Port"] = gbPort.ToString(),
            ["Ingest:Listeners:0:Protocol"] = "Gb32960",
            ["Ingest:Listeners:1:Address"] = "127.0.0.1",
            ["Ingest:Listeners:1:Port"] = IngestProcess.FreePort().ToString(),
            ["Ingest:Listeners:1:Protocol"] = "Hj1239",
            ["Spool:Directory"] = spool,
            ["Ingest:Admission"] = "Open",
            ["ClickHouse:Endpoint"] = "",
            ["Redis:Endpoint"] = "",
            ["Logging:LogLevel:Default"] = "Information",
            // Kestrel logs every failed accept as a connection reset at debug level: the spin shows up here.
            ["Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"] = "Debug",
        };
        var terminals = new List<TestTerminal>();
        try
        {
            await using var server = await IngestProcess.StartAsync(settings, descriptorLimit: limit);
            Assert.Equal(1, server.CountOutputLines($"at most {expected} terminal connections"));

            for (int i = 0; i < 200; i++) // more than the 300 descriptors could hold, with the runtime's own
            {
                if (await ConnectOrNullIfResetAsync(gbPort) is { } terminal)
                {
                    terminals.Add(terminal);
                }
            }
            Assert.True(terminals.Count >= expected);
            var answered = await Task.WhenAll(terminals.Select(async (t, i) =>
            {
                try
                {
                    await t.SendAsync(Frames.Heartbeat(VinOf(i)));
                }
                catch (System.Net.Sockets.SocketException)
                {
                    return false; // already closed by the server: refused
                }
                return await t.ReadFrameAsync(TimeSpan.FromSeconds(10)) is not null;
            }));

            Assert.Equal(expected, answered.Count(a => a));
            for (int i = 0; i < terminals.Count; i++)
            {
                if (answered[i]) // the ones it holds keep being served
                {
                    await terminals[i].SendAsync(Frames.Heartbeat(VinOf(i)));
                    Assert.NotNull(await terminals[i].ReadFrameAsync(Wait));
                }
                else // the others were closed at once, not left in the backlog
                {
                    Assert.True(await terminals[i].WaitForCloseAsync(Wait));
                }
            }
            Assert.False(server.HasExited, server.OutputTail());
            using var http = new HttpClient { BaseAddress = server.Http };
            Assert.True((await http.GetAsync("/healthz")).IsSuccessStatusCode);
            Assert.True(server.CountOutputLines("\"(null)\" reset") < 20, $"{server.CountOutputLines("\"(null)\" reset")} accept failures:\n{server.OutputTail(500)}");
            Assert.Equal(1, server.CountOutputLines("connections the descriptor limit allows are open")); // one line for the storm
        }
        finally
        {
            foreach (var t in terminals)
            {
                await t.DisposeAsync();
            }
            try
            {
                Directory.Delete(spool, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using LoadGen.Platform;
using LoadGen.Frames;

namespace Ingest.Tests.Http.StatusPage;

/// <summary>
/// The Grafana dashboard shipped in ops/grafana queries only metrics the server exports: a host with both
/// listeners and a forwarder link carries traffic of every kind the panels show, and its /metrics is scraped. Alone:
/// the exporter of one host picks up the same-named meters of hosts running beside it.
/// </summary>
[Collection(Ingest.Tests.SystemTests.ProcessWideMetrics.Name)]
public partial class GrafanaDashboardTests
{
    public static readonly string DashboardPath = Path.Combine(AppContext.BaseDirectory, "Grafana", "ingest-dashboard.json");

    [Fact]
    public void The_dashboard_is_valid_grafana_json_with_a_prometheus_datasource_variable()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var root = dashboard.RootElement;
        Assert.Equal("ingest-overview", root.GetProperty("uid").GetString());
        Assert.Contains(root.GetProperty("templating").GetProperty("list").EnumerateArray(),
            v => v.GetProperty("type").GetString() == "datasource" && v.GetProperty("query").GetString() == "prometheus");
        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        Assert.NotEmpty(panels);
        Assert.All(panels, p => Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("title").GetString())));
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
    }

    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_exported_by_the_server()
    {
        var queried = QueriedMetrics();
        Assert.NotEmpty(queried);

        await using var platform = PlatformServer.Start(new PlatformOptions { Username = "ingest", Password = "secret-1" });
        var settings = SystemSettings.For(SystemSettings.UniqueNode("grafana"));
        settings["Forwarder:Links:0:Name"] = "province";
        settings["Forwarder:Links:0:Host"] = "127.0.0.1";
        settings["Forwarder:Links:0:Port"] = platform.EndPoint.Port.ToString();
        settings["Forwarder:Links:0:Username"] = "ingest";
        settings["Forwarder:Links:0:Password"] = "secret-1";
        settings["Forwarder:Links:0:PlatformCode"] = "PLATFORM000000001";
        settings["Forwarder:Links:0:Filter:RelayUnfiled"] = "true";
        // A second link to a port nothing listens on: link failures, consumer failures, a consumer retrying.
        settings["Forwarder:Links:1:Name"] = "down";
        settings["Forwarder:Links:1:Host"] = "127.0.0.1";
        settings["Forwarder:Links:1:Port"] = "1";
        settings["Forwarder:Links:1:Username"] = "ingest";
        settings["Forwarder:Links:1:Password"] = "secret-1";
        settings["Forwarder:Links:1:PlatformCode"] = "PLATFORM000000002";
        settings["Forwarder:Links:1:MinReconnectDelay"] = "00:00:00.100";
        settings["Forwarder:Links:1:MaxReconnectDelay"] = "00:00:00.300";
        // A listener that holds one connection: the second is refused.
        settings["Ingest:Listeners:2:Name"] = "tiny";
        settings["Ingest:Listeners:2:Address"] = "127.0.0.1";
        settings["Ingest:Listeners:2:Port"] = "0";
        settings["Ingest:Listeners:2:Protocol"] = "Gb32960";
        settings["Ingest:Listeners:2:MaxConnections"] = "1";
        await using var server = await TestServer.StartAsync(settings);
        await using (var fleet = RecordingFleet.Start(new RecordingFleetOptions
        {
            Terminals = [TerminalProtocol.Gb2016, TerminalProtocol.Gb2016, TerminalProtocol.Hj1239],
            GbPort = server.Port(0),
            HjPort = server.Port(1),
            DataFramesPerTerminal = 5,
        }))
        {
            Assert.All(await fleet.CompletionAsync(TimeSpan.FromSeconds(30)), f => Assert.True(f.Acknowledged));
        }
        // A frame of another VIN than the connection's (refused), then bytes that are no frame (a decode error).
        await using (var early = await TestTerminal.ConnectAsync(server.Port(0)))
        {
            await early.SendAsync(Frames.Login("LGRAFANA000000001"));
            Assert.NotNull(await early.ReadFrameAsync(TimeSpan.FromSeconds(10)));
            await early.SendAsync(Frames.Realtime("LGRAFANA000000002"));
            await early.SendAsync("##\x02garbage that is not a frame"u8.ToArray());
            await Eventually.TrueAsync(async () => TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_frames_rejected_total") > 0,
                "the other VIN's frame refused");
        }
        await using var first = await TestTerminal.ConnectAsync(server.Port(2));
        await Eventually.TrueAsync(() => server.Listener(2).ActiveConnections == 1, "the tiny listener holds one connection");
        await using var second = await TestTerminal.ConnectAsync(server.Port(2));
        Assert.True(await second.WaitForCloseAsync(TimeSpan.FromSeconds(10)), "the second connection to a full listener is closed");
        await Eventually.TrueAsync(() => platform.Snapshot().Frames > 0, "frames at the platform", TimeSpan.FromSeconds(30));

        HashSet<string> exported = [];
        await Eventually.TrueAsync(async () =>
        {
            exported = ExportedMetrics(await server.GetMetricsAsync());
            return queried.All(exported.Contains);
        }, "every queried metric on /metrics", TimeSpan.FromSeconds(15)).ContinueWith(t =>
        {
            if (t.IsFaulted)
            {
                Assert.Fail("The dashboard queries metrics the server does not export: " + string.Join(", ", queried.Where(q => !exported.Contains(q)))
                    + "\nExported: " + string.Join(", ", exported.Order()));
            }
        });
    }

    /// <summary>Every metric name in the dashboard's PromQL expressions (its panels' targets and its variables' queries).</summary>
    internal static HashSet<string> QueriedMetrics()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var expressions = new List<string>();
        Collect(dashboard.RootElement, expressions);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var expression in expressions)
        {
            // Label matchers and strings first, so label names and values are not taken for metrics.
            var bare = Braces().Replace(Quoted().Replace(expression, ""), "");
            foreach (Match m in Identifier().Matches(bare))
            {
                if (m.Value.StartsWith("ingest_", StringComparison.Ordinal) || m.Value.StartsWith("forwarder_", StringComparison.Ordinal)
                    || m.Value.StartsWith("kestrel_", StringComparison.Ordinal))
                {
                    names.Add(m.Value);
                }
            }
        }
        return names;
    }

    private static void Collect(JsonElement element, List<string> expressions)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name is "expr" or "definition" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        expressions.Add(property.Value.GetString()!);
                    }
                    else if (property.Name == "query" && property.Value.ValueKind == JsonValueKind.Object
                        && property.Value.TryGetProperty("query", out var inner) && inner.ValueKind == JsonValueKind.String)
                    {
                        expressions.Add(inner.GetString()!);
                    }
                    else
                    {
                        Collect(property.Value, expressions);
                    }
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, expressions);
                }
                break;
        }
    }

    /// <summary>The series names on a Prometheus text page (histograms by their _bucket, _sum and _count series).</summary>
    internal static HashSet<string> ExportedMetrics(string metrics) =>
        metrics.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny(['{', ' '])])
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}

using System.Globalization;
using System.Text;
using LoadGen.Checks;
using LoadGen.Fleet;
using LoadGen.Measurement;

namespace LoadGen.Cli;

/// <summary>Live progress lines while a fleet runs and the summary table at the end.</summary>
internal static class FleetConsole
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One progress line: connections, logins, frames and rates, interval latency, errors.</summary>
    public static string ProgressLine(FleetProgress p)
    {
        var c = p.Counters;
        var l = p.IntervalLatency;
        string latency = l.Count == 0 ? "p50 -  p99 -" : $"p50 {Ms(l.P50Ms)}  p99 {Ms(l.P99Ms)}";
        return string.Create(Invariant,
            $"{p.Elapsed.TotalSeconds,6:0.0}s  conn {N(c.ConnectionsOpen)} open/{N(c.ConnectionsEstablished)} est/{N(c.ConnectionsRefused)} refused  " +
            $"login {N(c.LoginsAcknowledged)}/{N(c.LoginsSent)}  sent {N(c.FramesSent)} ({N((long)p.SentPerSecond)}/s)  " +
            $"acked {N(c.FramesAcknowledged)} ({N((long)p.AcknowledgedPerSecond)}/s)  {latency}  errors {N(c.ErrorTotal)}");
    }

    public static string Summary(FleetReport report, StorageCheckResult? clickHouse, StorageCheckResult? platform)
    {
        var c = report.Counters;
        var sb = new StringBuilder();
        var protocols = string.Join(", ", report.TerminalsByProtocol.Select(kv => $"{kv.Key} {N(kv.Value)}"));
        sb.AppendLine(Invariant, $"Fleet run: {N(report.Terminals.Count)} terminals ({protocols}), {report.Elapsed.TotalSeconds:0.0} s, stopped by {report.StopReason}");
        sb.AppendLine(Invariant, $"  seed {report.Seed}, VIN prefix {report.VinPrefix}, sources {string.Join(" ", report.SourceAddresses)}");
        sb.AppendLine(Invariant, $"  targets {string.Join(", ", report.Targets)}");
        sb.AppendLine();
        sb.AppendLine("  command          sent        acked");
        foreach (var (command, sent) in c.SentByCommand)
        {
            sb.AppendLine(Invariant, $"  {command,-10} {N(sent),10}   {N(c.AcknowledgedByCommand.GetValueOrDefault(command)),10}");
        }
        sb.AppendLine(Invariant, $"  {"total",-10} {N(c.FramesSent),10}   {N(c.FramesAcknowledged),10}   ({N(report.FramesExpectingAck)} expected a reply, {N(report.Unacknowledged)} did not get one)");
        sb.AppendLine();
        sb.AppendLine(Invariant, $"  connections   {N(c.ConnectionsEstablished)} established, {N(c.ConnectionsRefused)} refused, {N(c.ConnectAttempts)} attempts, {N(c.Gaps)} coverage gaps");
        sb.AppendLine(Invariant, $"  logins        {N(c.LoginsAcknowledged)} acknowledged of {N(c.LoginsSent)} sent");
        sb.AppendLine(Invariant, $"  throughput    sent {N((long)report.SentPerSecond)}/s, acked {N((long)report.AcknowledgedPerSecond)}/s, {Bytes(c.BytesSent)} sent, {Bytes(c.BytesReceived)} received");
        sb.AppendLine(Invariant, $"  ack latency   {Latency(report.Latency)}");
        sb.AppendLine(Invariant, $"   data only    {Latency(report.DataLatency)}");
        if (report.Cpu is { } cpu)
        {
            string steady = cpu.SteadyMicrosecondsPerFrame is { } us
                ? string.Create(Invariant, $"{us:0.0} µs per acked frame over the steady {cpu.SteadyWindowSeconds:0.0} s")
                : "no steady window (run too short)";
            sb.AppendLine(Invariant, $"  fleet CPU     {cpu.ProcessSeconds:0.00} s ({cpu.RunMicrosecondsPerFrame:0.0} µs per acked frame over the run); {steady}");
        }
        sb.AppendLine(Invariant, $"  errors        {(c.Errors.Count == 0 ? "none" : string.Join(", ", c.Errors.Select(kv => $"{kv.Key} {N(kv.Value)}")))}");
        if (clickHouse is not null)
        {
            sb.AppendLine(Invariant, $"  clickhouse    {Check(clickHouse, "stored")}");
        }
        if (platform is not null)
        {
            sb.AppendLine(Invariant, $"  platform      {Check(platform, "relayed")}");
        }
        return sb.ToString();
    }

    public static string Latency(LatencySummary l) => l.Count == 0
        ? "no replies"
        : string.Create(Invariant, $"p50 {Ms(l.P50Ms)}  p90 {Ms(l.P90Ms)}  p99 {Ms(l.P99Ms)}  p99.9 {Ms(l.P999Ms)}  max {Ms(l.MaxMs)}  (n={N(l.Count)})");

    public static string Check(StorageCheckResult r, string verb)
    {
        if (r.Error is not null)
        {
            return $"ERROR {r.Error} ({r.Target})";
        }
        var sb = new StringBuilder();
        sb.Append(Invariant, $"{(r.Passed ? "PASS" : "FAIL")} {N(r.VinsChecked)} VINs: {N(r.Acknowledged)} acknowledged, {N(r.Found)} {verb}, ");
        sb.Append(Invariant, $"{N(r.MissingFrames)} missing ({N(r.VinsMissing)} VINs), {N(r.DuplicateFrames)} beyond sent ({N(r.VinsWithDuplicates)} VINs){(r.DuplicatesAllowed ? " allowed" : "")}, after {r.Waited.TotalSeconds:0.0} s");
        foreach (var e in r.Examples)
        {
            sb.Append(Invariant, $"{Environment.NewLine}                  {e.Vin}: acked {e.Acknowledged}, sent {e.Sent}, {verb} {e.Found}");
        }
        return sb.ToString();
    }

    private static string N(long value) => value.ToString("N0", Invariant);

    private static string Ms(double ms) => ms < 10 ? ms.ToString("0.00", Invariant) + " ms" : ms.ToString("0.0", Invariant) + " ms";

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0", Invariant) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0", Invariant) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.0", Invariant) + " KiB",
        _ => bytes.ToString(Invariant) + " B",
    };
}

/// <summary>Prints progress lines: rewritten in place on a terminal, one per interval when redirected.</summary>
internal sealed class ProgressWriter : IProgress<FleetProgress>
{
    private readonly TextWriter _writer;
    private readonly bool _inPlace;
    private int _lastLength;

    public ProgressWriter(TextWriter writer, bool inPlace)
    {
        _writer = writer;
        _inPlace = inPlace;
    }

    public void Report(FleetProgress value) => Write(FleetConsole.ProgressLine(value));

    public void Write(string line)
    {
        lock (_writer)
        {
            if (_inPlace)
            {
                _writer.Write('\r' + line.PadRight(_lastLength));
                _lastLength = line.Length;
            }
            else
            {
                _writer.WriteLine(line);
            }
            _writer.Flush();
        }
    }

    public void Finish()
    {
        if (_inPlace && _lastLength > 0)
        {
            lock (_writer)
            {
                _writer.WriteLine();
            }
        }
    }
}

using System.Globalization;
using System.Text.Json;

namespace Ingest.Import;

/// <summary>Why some input was not imported. The closed list the report counts by.</summary>
public enum ImportProblemKind : byte
{
    /// <summary>A hex line whose time or hex could not be read (the whole line is skipped).</summary>
    BadLine,

    /// <summary>Bytes that are not a frame (the framer's junk skip).</summary>
    Junk,

    /// <summary>A frame whose check byte is wrong.</summary>
    Checksum,

    /// <summary>A header declaring more than the largest frame.</summary>
    Length,

    /// <summary>A frame still incomplete at the end of its line or stream, or before a capture gap.</summary>
    Incomplete,

    /// <summary>Bytes of a TCP stream missing from the capture (never captured, or cut by the snap length).</summary>
    CaptureGap,

    /// <summary>A captured packet that could not be read as IP/TCP (cut short, bad header, IP fragment).</summary>
    BadPacket,

    /// <summary>The file cannot be read as a whole or from some point on (not pcap, unsupported link type, cut short).</summary>
    File,
}

/// <summary>One problem, with where it was: the file and a line number or a packet number, and the byte offset.</summary>
/// <param name="File">The input file's path as given.</param>
/// <param name="Kind">What was wrong.</param>
/// <param name="Detail">What exactly, in words.</param>
/// <param name="Where">"line 17" or "packet 812 (10.0.0.5:40012 > 10.0.0.1:32960, stream byte 1234)".</param>
/// <param name="FileOffset">Byte offset in the file: of the line's start (hex) or of the packet's record (pcap); -1 when none.</param>
public sealed record ImportProblem(string File, ImportProblemKind Kind, string Where, long FileOffset, string Detail)
{
    public override string ToString() =>
        $"{File} {Where}{(FileOffset >= 0 ? $" (file offset {FileOffset})" : "")}: {ImportReport.Name(Kind)}: {Detail}";
}

/// <summary>What one input file gave.</summary>
public sealed class FileImportReport(string path, string format)
{
    public string Path { get; } = path;

    /// <summary>"hex" or "pcap".</summary>
    public string Format { get; } = format;

    public long Lines { get; set; }

    public long Packets { get; set; }

    /// <summary>TCP segments toward the selected ports (or of flows the content showed to be terminal traffic).</summary>
    public long Segments { get; set; }

    /// <summary>Packets that are not TCP toward a selected port (replies, other traffic, other protocols).</summary>
    public long OtherPackets { get; set; }

    public long Retransmissions { get; set; }

    public long OutOfOrder { get; set; }

    public long Flows { get; set; }

    /// <summary>With content detection: flows whose first frame was not terminal traffic (platform replies, other links).</summary>
    public long FlowsIgnored { get; set; }

    /// <summary>Bytes before the first frame of a flow whose start (SYN) the capture missed: expected, not counted as junk.</summary>
    public long MidStreamBytesSkipped { get; set; }

    public long Frames { get; set; }

    public long Problems { get; set; }

    public long BytesSkipped { get; set; }

    /// <summary>The file could not be read from some point on (<see cref="ImportProblemKind.File"/>).</summary>
    public bool Unreadable { get; set; }
}

/// <summary>Counts, rows written and the first problems of one import run; printed as text or JSON.</summary>
public sealed class ImportReport
{
    private readonly Dictionary<ImportProblemKind, long> _byKind = [];

    public List<FileImportReport> Files { get; } = [];

    /// <summary>The first <see cref="MaxListed"/> problems, in input order.</summary>
    public List<ImportProblem> Problems { get; } = [];

    public int MaxListed { get; init; } = 100;

    public bool DryRun { get; init; }

    public string? Database { get; init; }

    /// <summary>Rows sent per table (an imported row that was already stored replaces itself).</summary>
    public SortedDictionary<string, long> RowsWritten { get; } = new(StringComparer.Ordinal);

    /// <summary>Why the run stopped before the end (ClickHouse failed); null when it ran to the end.</summary>
    public string? Failure { get; set; }

    public long Frames => Files.Sum(f => f.Frames);

    public long ProblemCount => _byKind.Values.Sum();

    public IReadOnlyDictionary<ImportProblemKind, long> ProblemsByKind => _byKind;

    /// <summary>0 clean; 1 imported, but some input was malformed and skipped; 3 a file unreadable or ClickHouse failed.</summary>
    public int ExitCode => Failure is not null || Files.Any(f => f.Unreadable) ? ImportExitCodes.Incomplete
        : ProblemCount > 0 ? ImportExitCodes.SomeSkipped
        : ImportExitCodes.Clean;

    public void Add(ImportProblem problem, FileImportReport file)
    {
        _byKind[problem.Kind] = _byKind.GetValueOrDefault(problem.Kind) + 1;
        file.Problems++;
        if (problem.Kind == ImportProblemKind.File)
        {
            file.Unreadable = true;
        }
        if (Problems.Count < MaxListed)
        {
            Problems.Add(problem);
        }
    }

    public static string Name(ImportProblemKind kind) => kind switch
    {
        ImportProblemKind.BadLine => "bad_line",
        ImportProblemKind.Junk => "junk",
        ImportProblemKind.Checksum => "checksum",
        ImportProblemKind.Length => "length",
        ImportProblemKind.Incomplete => "incomplete",
        ImportProblemKind.CaptureGap => "capture_gap",
        ImportProblemKind.BadPacket => "bad_packet",
        _ => "file",
    };

    public void WriteText(TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"import: {Frames:N0} frames from {Files.Count} file(s){(DryRun ? " (dry run: nothing written)" : $" into '{Database}' as node '{FrameImporter.NodeName}'")}"));
        foreach (var f in Files)
        {
            output.WriteLine(f.Format == "hex"
                ? string.Create(c, $"  {f.Path}: hex, {f.Lines:N0} lines, {f.Frames:N0} frames, {f.Problems:N0} problems ({f.BytesSkipped:N0} bytes skipped)")
                : string.Create(c, $"  {f.Path}: pcap, {f.Packets:N0} packets ({f.Segments:N0} TCP segments imported from, {f.OtherPackets:N0} other), {f.Flows:N0} flows" +
                    $"{(f.FlowsIgnored > 0 ? $" ({f.FlowsIgnored:N0} not terminal traffic)" : "")}, {f.Retransmissions:N0} retransmitted and {f.OutOfOrder:N0} out-of-order segments, " +
                    $"{f.Frames:N0} frames, {f.Problems:N0} problems ({f.BytesSkipped:N0} bytes skipped{(f.MidStreamBytesSkipped > 0 ? $", {f.MidStreamBytesSkipped:N0} before the first frame of flows joined mid-stream" : "")})"));
        }
        foreach (var (table, rows) in RowsWritten)
        {
            output.WriteLine(string.Create(c, $"  {table}: {rows:N0} rows {(DryRun ? "projected" : "written")}"));
        }
        if (ProblemCount > 0)
        {
            output.WriteLine(string.Create(c, $"problems: {string.Join(", ", _byKind.OrderBy(k => k.Key).Select(k => $"{Name(k.Key)} {k.Value:N0}"))}" +
                $"{(ProblemCount > Problems.Count ? $" (first {Problems.Count} listed)" : "")}"));
            foreach (var problem in Problems)
            {
                output.WriteLine("  " + problem);
            }
        }
        if (Failure is not null)
        {
            output.WriteLine($"stopped: {Failure}");
            output.WriteLine("Run the same import again: rows already written are replaced, not duplicated.");
        }
    }

    public void WriteJson(Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("frames", Frames);
        json.WriteBoolean("dry_run", DryRun);
        json.WriteString("node", FrameImporter.NodeName);
        if (Database is not null)
        {
            json.WriteString("database", Database);
        }
        json.WriteStartObject("rows");
        foreach (var (table, rows) in RowsWritten)
        {
            json.WriteNumber(table, rows);
        }
        json.WriteEndObject();
        json.WriteStartArray("files");
        foreach (var f in Files)
        {
            json.WriteStartObject();
            json.WriteString("path", f.Path);
            json.WriteString("format", f.Format);
            if (f.Format == "hex")
            {
                json.WriteNumber("lines", f.Lines);
            }
            else
            {
                json.WriteNumber("packets", f.Packets);
                json.WriteNumber("segments", f.Segments);
                json.WriteNumber("other_packets", f.OtherPackets);
                json.WriteNumber("flows", f.Flows);
                json.WriteNumber("flows_ignored", f.FlowsIgnored);
                json.WriteNumber("retransmissions", f.Retransmissions);
                json.WriteNumber("out_of_order", f.OutOfOrder);
                json.WriteNumber("mid_stream_bytes_skipped", f.MidStreamBytesSkipped);
            }
            json.WriteNumber("frames", f.Frames);
            json.WriteNumber("problems", f.Problems);
            json.WriteNumber("bytes_skipped", f.BytesSkipped);
            json.WriteBoolean("unreadable", f.Unreadable);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartObject("problems_by_kind");
        foreach (var (kind, count) in _byKind.OrderBy(k => k.Key))
        {
            json.WriteNumber(Name(kind), count);
        }
        json.WriteEndObject();
        json.WriteStartArray("problems");
        foreach (var p in Problems)
        {
            json.WriteStartObject();
            json.WriteString("file", p.File);
            json.WriteString("kind", Name(p.Kind));
            json.WriteString("where", p.Where);
            json.WriteNumber("file_offset", p.FileOffset);
            json.WriteString("detail", p.Detail);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (Failure is not null)
        {
            json.WriteString("failure", Failure);
        }
        json.WriteNumber("exit_code", ExitCode);
        json.WriteEndObject();
    }
}

public static class ImportExitCodes
{
    public const int Clean = 0;
    public const int SomeSkipped = 1;
    public const int BadArguments = 2;
    public const int Incomplete = 3;

    /// <summary><c>--compare-with</c>: the import and the live rows differ for some vehicle and day.</summary>
    public const int Differ = 4;
}

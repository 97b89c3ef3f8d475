using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Schema;
using Microsoft.Extensions.Logging;

namespace Ingest.Import;

/// <summary>The input format of a file: told from its first bytes unless given.</summary>
public enum ImportFormat : byte
{
    Auto,
    Hex,
    Pcap,
}

/// <summary>What an import reads and how.</summary>
public sealed record ImportSettings
{
    /// <summary>The server's terminal listeners: their ports are the default capture ports, their names and protocols label the rows.</summary>
    public IReadOnlyList<ListenerOptions> Listeners { get; init; } = [];

    /// <summary>Destination ports whose TCP segments are terminal traffic; default: the listeners' ports.</summary>
    public IReadOnlySet<int>? Ports { get; init; }

    /// <summary>Also import TCP directions on other ports whose first frame is a terminal's command.</summary>
    public bool DetectByContent { get; init; }

    /// <summary>The zone of hex-line times written without one. Default +08:00 (Beijing time, the protocols' zone).</summary>
    public TimeSpan DefaultZone { get; init; } = TimeSpan.FromHours(8);

    public ImportFormat Format { get; init; }

    /// <summary>Frames per ClickHouse insert. Default 10,000.</summary>
    public int BatchRows { get; init; } = 10_000;

    /// <summary>Problems listed in the report (all are counted). Default 100.</summary>
    public int MaxListed { get; init; } = 100;

    /// <summary>Retry waits of a failed insert; default 1, 2 and 4 s.</summary>
    public IReadOnlyList<TimeSpan>? RetryDelays { get; init; }

    internal IReadOnlySet<int> EffectivePorts => Ports ?? Listeners.Where(l => l.Port != 0).Select(l => l.Port).ToHashSet();
}

/// <summary>
/// The <c>import</c> command's work: every file through its reader (hex lines or a pcap capture), the server's framer
/// and the sink's projection into ClickHouse (<see cref="FrameImporter"/>), with a report of what was imported and
/// what was not, and where. Files are read as streams, so their size does not matter.
/// </summary>
public sealed class HistoryImport(ImportSettings settings, ClickHouseDatabase? database, ILogger logger)
{
    /// <summary>Any frame a listener could accept, up to the largest the length field allows.</summary>
    private static readonly FramingOptions Framing = new ListenerOptions { MaxFrameBytes = FrameHeader.Overhead + FrameHeader.MaxDataLength }.ToFramingOptions();

    public async Task<ImportReport> RunAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var report = new ImportReport { MaxListed = settings.MaxListed, DryRun = database is null, Database = database?.Database };
        ImportLog.Started(logger, files.Count, database is null ? "nowhere (dry run)" : $"{database.Endpoint} database '{database.Database}'", FrameImporter.NodeName);
        using var importer = new FrameImporter(settings.Listeners, database, report, logger)
        {
            BatchRows = settings.BatchRows,
            RetryDelays = settings.RetryDelays ?? [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)],
        };
        try
        {
            if (database is not null)
            {
                // The sink's own start-up step, so an import into a fresh database finds its tables.
                await new ClickHouseSchema(database).EnsureAsync(cancellationToken).ConfigureAwait(false);
            }
            foreach (var path in files)
            {
                await ImportFileAsync(path, importer, report, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && database is not null)
        {
            // Files are read without throwing (their problems are values), so what ends a run here is ClickHouse.
            report.Failure = $"ClickHouse {database.Endpoint} (database '{database.Database}'): {ClickHouseDatabase.Describe(exception)}";
            ImportLog.Failed(logger, report.Failure);
        }
        ImportLog.Finished(logger, report.Frames, report.ProblemCount, report.ExitCode);
        return report;
    }

    private async Task ImportFileAsync(string path, FrameImporter importer, ImportReport report, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var unreadable = new FileImportReport(path, settings.Format == ImportFormat.Pcap ? "pcap" : "hex");
            report.Files.Add(unreadable);
            importer.CurrentFile = unreadable;
            importer.Problem(new ImportProblem(path, ImportProblemKind.File, "file", -1, exception.Message));
            return;
        }
        await using (stream.ConfigureAwait(false))
        {
            var format = settings.Format;
            if (format == ImportFormat.Auto)
            {
                Span<byte> start = stackalloc byte[4];
                int read = stream.ReadAtLeast(start, 4, throwOnEndOfStream: false);
                format = PcapReader.LooksLikePcap(start[..read]) ? ImportFormat.Pcap : ImportFormat.Hex;
                stream.Position = 0;
            }
            var file = new FileImportReport(path, format == ImportFormat.Pcap ? "pcap" : "hex");
            report.Files.Add(file);
            importer.CurrentFile = file;
            try
            {
                var steps = format == ImportFormat.Pcap ? ReadPcap(stream, path, file, importer) : ReadHex(stream, path, file, importer);
                foreach (var _ in steps)
                {
                    // After each line or packet: rows go out in batches, so memory stays bounded whatever the file's size.
                    if (importer.FlushDue)
                    {
                        await importer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                    cancellationToken.ThrowIfCancellationRequested();
                }
                await importer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException exception)
            {
                importer.Problem(new ImportProblem(path, ImportProblemKind.File, "file", -1, $"read failed: {exception.Message}"));
                await importer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            ImportLog.FileImported(logger, path, file.Format, file.Frames, file.Problems);
        }
    }

    /// <summary>Frames a hex file line by line into <paramref name="target"/>; yields after each line.</summary>
    internal IEnumerable<long> ReadHex(Stream stream, string path, FileImportReport file, IImportTarget target)
    {
        var framer = new StreamFramer(Framing, listenerPort: 0, ListenerProtocol.Auto, StreamRole.Terminal, file);
        var bytes = new byte[4096];
        var buffer = new byte[1 << 16];
        int start = 0, end = 0;
        long bufferOffset = 0; // file offset of buffer[0]
        long lineNumber = 0;
        bool eof = false, skippingLongLine = false;
        while (true)
        {
            int newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline < 0 && !eof)
            {
                if (end - start > HexFrameLine.MaxLineBytes)
                {
                    if (!skippingLongLine)
                    {
                        lineNumber++;
                        file.Lines++;
                        target.Problem(new ImportProblem(path, ImportProblemKind.BadLine, $"line {lineNumber}", bufferOffset + start,
                            $"longer than {HexFrameLine.MaxLineBytes} bytes"));
                    }
                    skippingLongLine = true;
                    bufferOffset += end;
                    start = end = 0;
                }
                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    bufferOffset += start;
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                int read = stream.Read(buffer, end, buffer.Length - end);
                eof = read == 0;
                end += read;
                continue;
            }
            int lineEnd = newline < 0 ? end : start + newline;
            long lineOffset = bufferOffset + start;
            int lineStart = start;
            start = newline < 0 ? end : lineEnd + 1;
            if (skippingLongLine)
            {
                skippingLongLine = false; // the rest of the over-long line ends here
            }
            else if (newline >= 0 || lineEnd > lineStart)
            {
                lineNumber++;
                file.Lines++;
                ImportLine(buffer.AsSpan(lineStart, lineEnd - lineStart), lineNumber, lineOffset, path, framer, ref bytes, target);
                yield return lineNumber;
            }
            if (newline < 0)
            {
                yield break;
            }
        }
    }

    private void ImportLine(ReadOnlySpan<byte> line, long lineNumber, long lineOffset, string path, StreamFramer framer, ref byte[] bytes, IImportTarget importer)
    {
        switch (HexFrameLine.Parse(line, settings.DefaultZone, ref bytes, out int length, out var receivedAt, out var problem))
        {
            case HexFrameLine.Outcome.Bad:
                importer.Problem(new ImportProblem(path, ImportProblemKind.BadLine, $"line {lineNumber}", lineOffset, problem!));
                break;
            case HexFrameLine.Outcome.Frames:
                // Each line is a stream of its own: a frame never continues on the next line.
                var position = new InputPosition(path, lineNumber, 0, lineOffset, null);
                framer.Restart();
                framer.Append(bytes.AsSpan(0, length), receivedAt, position, importer);
                framer.End(receivedAt, position, importer);
                break;
        }
    }

    /// <summary>Reassembles and frames a pcap capture into <paramref name="importer"/>; yields after each packet.</summary>
    internal IEnumerable<long> ReadPcap(Stream stream, string path, FileImportReport file, IImportTarget importer)
    {
        if (!PcapReader.TryOpen(stream, out var reader, out var problem))
        {
            importer.Problem(new ImportProblem(path, ImportProblemKind.File, "file header", 0, problem!));
            yield break;
        }
        if (!PacketParser.LinkTypes.IsSupported(reader.LinkType))
        {
            importer.Problem(new ImportProblem(path, ImportProblemKind.File, "file header", 20,
                $"link type {reader.LinkType} is not supported (Ethernet 1, Linux cooked 113 and 276, raw IP 101/12/14/228/229, BSD loopback 0/108)"));
            yield break;
        }
        var ports = settings.EffectivePorts;
        var protocols = settings.Listeners.Where(l => l.Port != 0).GroupBy(l => l.Port).ToDictionary(g => g.Key, g => g.First().Protocol);
        var selection = new TrafficSelection(ports, settings.DetectByContent, port => protocols.GetValueOrDefault(port, ListenerProtocol.Auto));
        var reassembler = new TcpReassembler(selection, Framing, file, importer);
        var lastTime = DateTimeOffset.UnixEpoch;
        while (reader.TryReadNext(out var packet))
        {
            file.Packets++;
            lastTime = packet.Timestamp;
            var position = new InputPosition(path, 0, packet.Number, packet.FileOffset, null);
            var verdict = PacketParser.TryParse(reader.LinkType, packet.Data.Span, out var segment);
            switch (verdict)
            {
                case PacketVerdict.Tcp:
                    reassembler.Add(packet, segment, position);
                    break;
                case PacketVerdict.NotIp or PacketVerdict.NotTcp:
                    file.OtherPackets++;
                    break;
                default:
                    importer.Problem(new ImportProblem(path, ImportProblemKind.BadPacket, $"packet {packet.Number}", packet.FileOffset, verdict switch
                    {
                        PacketVerdict.IpFragment => "a fragment of an IP datagram carrying TCP (IP fragments are not reassembled)",
                        PacketVerdict.Truncated => $"cut short ({packet.Data.Length} of {packet.OriginalLength} bytes captured) before its TCP header ended",
                        _ => "an IP or TCP header with impossible lengths",
                    }));
                    break;
            }
            yield return packet.Number;
        }
        if (reader.Problem is { } damage)
        {
            importer.Problem(new ImportProblem(path, reader.CutShort ? ImportProblemKind.BadPacket : ImportProblemKind.File,
                $"packet {reader.NextPacketNumber}", reader.FileOffset, damage));
        }
        reassembler.Complete(lastTime, new InputPosition(path, 0, Math.Max(1, file.Packets), reader.FileOffset, null));
    }
}

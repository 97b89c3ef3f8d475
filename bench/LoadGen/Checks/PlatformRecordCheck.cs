using System.Diagnostics;
using System.Text.Json;
using LoadGen.Fleet;
using LoadGen.Platform;

namespace LoadGen.Checks;

/// <summary>
/// Compares the simulated superior platform's record (frames relayed to it, per VIN and command) with the frames
/// the terminals had acknowledged. Relaying is at least once, so duplicates are reported but allowed. The record
/// file is re-read every second until it matches or the wait has passed (relaying trails the acknowledgement).
/// </summary>
public static class PlatformRecordCheck
{
    /// <summary>Commands a relay forwards by default: realtime and reissue.</summary>
    public static readonly IReadOnlyList<byte> DefaultRelayedCommands = [Frames.Commands.Realtime, Frames.Commands.Reissue];

    public static StorageCheckResult Compare(PlatformRecord record, string target, IReadOnlyList<TerminalResult> terminals,
        IReadOnlyCollection<byte> commands, TimeSpan waited)
    {
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var terminal in terminals)
        {
            found[terminal.Vin] = record.Received(terminal.Vin, commands);
        }
        return StorageCheckResult.Compare(target, terminals, commands, found, duplicatesAllowed: true, waited);
    }

    public static async Task<StorageCheckResult> RunAsync(string recordPath, IReadOnlyList<TerminalResult> terminals,
        IReadOnlyCollection<byte> commands, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        string target = $"platform record {recordPath}";
        var started = Stopwatch.StartNew();
        while (true)
        {
            StorageCheckResult result;
            try
            {
                result = Compare(PlatformRecord.ReadFrom(recordPath), target, terminals, commands, started.Elapsed);
            }
            catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
            {
                result = StorageCheckResult.Failed(target, ex.Message, started.Elapsed);
            }
            if (result.Passed || started.Elapsed >= wait || cancellationToken.IsCancellationRequested)
            {
                return result;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}

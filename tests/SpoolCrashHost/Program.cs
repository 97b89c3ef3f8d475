// Usage: SpoolCrashHost <spool directory> <concurrent writers>
// Appends CrashRecord payloads to a FileSpool from many tasks, as fast as it can, until it is killed. For every
// acknowledged append it prints one line "<offset> <sequence> ack", written with a single write(2) after the append
// completed, so a line on stdout proves the record was acknowledged.
using System.Globalization;
using System.Text;
using Ingest.Spool;
using SpoolCrashHost;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: SpoolCrashHost <spool directory> <concurrent writers>");
    return 2;
}

var options = CrashHostOptions.For(args[0]);
var writers = int.Parse(args[1], CultureInfo.InvariantCulture);
await using var spool = FileSpool.Open(options);
using var stdout = Console.OpenStandardOutput();
var gate = new Lock();
long sequence = 0;

async Task WriteForeverAsync()
{
    while (true)
    {
        var n = Interlocked.Increment(ref sequence);
        var result = await spool.AppendAsync(CrashRecord.Create(n), CancellationToken.None);
        if (result.Status != SpoolAppendStatus.Committed)
        {
            throw new InvalidOperationException($"Append {n} returned {result.Status}.");
        }

        var line = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{result.Offset} {n} ack\n"));
        lock (gate)
        {
            stdout.Write(line);
            stdout.Flush();
        }
    }
}

await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(WriteForeverAsync)));
return 0;

using ChInsertBaseline;

// ChInsertBaseline --clickhouse URL --source-db DB [--target-db DB] [--batch-rows 10000] [--duration 20s] [--keep]
// Copies nothing server-side: it fetches the scenario's rows as RowBinary once, then inserts them again and again
// through ClickHouse.Driver, one table after the other per batch and one batch at a time (as the server's sink does),
// and prints one JSON object: rows/s, and frames/s (spool records/s) for the same row mix.
try
{
    var options = BaselineOptions.Parse(args);
    var result = await InsertLoop.RunAsync(options);
    Console.Out.WriteLine(result.ToJson());
    return result.Error is null ? 0 : 2;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("usage: ChInsertBaseline --clickhouse http://127.0.0.1:18123 --source-db DB [--target-db DB] [--batch-rows 10000] [--duration 20s] [--keep]");
    return 1;
}

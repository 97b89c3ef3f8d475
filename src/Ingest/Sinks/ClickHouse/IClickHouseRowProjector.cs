using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;

namespace Ingest.Sinks.ClickHouse;

/// <summary>
/// Turns one spool record into table rows. Implemented from the decoded frames by the host.
/// </summary>
/// <remarks>
/// Exactly-once in ClickHouse rests on this being <b>deterministic</b>: the same record must always produce the same
/// rows with the same key columns (node, spool offset, item index, vin and the time columns), so that a batch re-sent
/// after a failure replaces its first copy. Take every time from the record itself (the envelope's receive time, the
/// frame's collection time), never from the clock at projection time. A record that decodes to nothing storable
/// still belongs in <c>frames_raw</c>; throw only for bugs (the sink then stops advancing and retries with backoff,
/// naming the record's offset, rather than skip it).
/// </remarks>
public interface IClickHouseRowProjector
{
    void Project(in SpoolRecord record, ClickHouseRowBuffers rows);
}

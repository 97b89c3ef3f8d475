namespace Ingest.Sinks.ClickHouse.Rows;

/// <summary>
/// Which spool record a row came from: its offset, and for tables with one row per item the item's index (0 elsewhere).
/// With the node name this identifies a row in every table, whatever the other key columns hold; it is the tail of
/// each table's replacing key, and what verify and repair compare.
/// </summary>
public readonly record struct SpoolRowKey(long SpoolOffset, ushort ItemIndex);

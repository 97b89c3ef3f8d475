using Ingest.Tools;

// "serve" runs the ingest server; "decode" is the engineers' frame decoder; "verify"/"repair" check ClickHouse against the spool. See README.md.
return await IngestCommandLine.RunAsync(args);

using Ingest.Tools;

// "serve" runs the ingest server; "decode" is the engineers' frame decoder. See README.md.
return await IngestCommandLine.RunAsync(args);

// Entry point: "serve" runs the ingest host; "decode" is the engineers' frame decoder. Filled in by Hosting/.
return 0;

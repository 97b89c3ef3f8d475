return await LoadGen.Cli.LoadGenCommandLine.RunAsync(args);

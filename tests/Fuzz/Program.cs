using Ingest.Fuzz;
using Ingest.Fuzz.Session;
using Ingest.Fuzz.Targets;
using SharpFuzz;

// Usage (scripts/fuzz.sh drives this; see README.md beside this file):
//   Ingest.Fuzz TARGET                       run under afl-fuzz (input on stdin), or once on stdin without it
//   Ingest.Fuzz seeds VECTORS.tsv OUTDIR     write the seed corpus of every target into OUTDIR/TARGET/
//   Ingest.Fuzz replay TARGET FILE|DIR...    run saved inputs (findings, corpus) and report each violation
//   Ingest.Fuzz corpus PREFIX MAXBYTES DIR   print DIR's inputs of at most MAXBYTES as corpus lines (name, tab, hex)
var targets = new Dictionary<string, Func<byte[], FuzzOutcome>>
{
    ["framer"] = bytes => FramerTarget.Run(bytes),
    ["gb32960"] = bytes => Gb32960Target.Run(bytes),
    ["hj1239"] = bytes => Hj1239Target.Run(bytes),
    ["session"] = bytes => SessionTarget.Run(bytes),
};

if (args.Length >= 3 && args[0] == "seeds")
{
    foreach (var (name, seeds) in SeedCorpus.FromVectors(File.ReadLines(args[1])))
    {
        var directory = Path.Combine(args[2], name);
        Directory.CreateDirectory(directory);
        foreach (var seed in seeds)
        {
            File.WriteAllBytes(Path.Combine(directory, seed.Name), seed.Input);
        }
        Console.WriteLine($"{name}: {seeds.Count} seeds in {directory}");
    }
    return 0;
}
if (args.Length == 4 && args[0] == "corpus" && int.TryParse(args[2], out int maxBytes))
{
    foreach (var path in Directory.GetFiles(args[3]).Order())
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length <= maxBytes && bytes.Length > 0)
        {
            // AFL names queue entries "id:000123,src:...,op:..."; the id is enough to find it again.
            var id = Path.GetFileName(path).Split(',')[0].Replace("id:", "", StringComparison.Ordinal);
            Console.WriteLine($"{args[1]}-{id}\t{Convert.ToHexString(bytes)}");
        }
    }
    return 0;
}
if (args.Length >= 3 && args[0] == "replay" && targets.TryGetValue(args[1], out var replayed))
{
    int failures = 0, count = 0;
    var outcomes = new Dictionary<FuzzOutcome, int>();
    foreach (var path in args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order().ToArray() : new[] { p }))
    {
        count++;
        try
        {
            var outcome = replayed(File.ReadAllBytes(path));
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        catch (Exception ex)
        {
            failures++;
            Console.WriteLine($"{path}: {ex.GetType().Name}: {ex.Message}");
            Console.WriteLine(ex.StackTrace);
        }
    }
    Console.WriteLine($"{args[1]}: {count} inputs, {failures} failing; {string.Join(", ", outcomes.Select(o => $"{o.Value} {o.Key}"))}");
    return failures == 0 ? 0 : 1;
}
if (args.Length == 1 && targets.TryGetValue(args[0], out var target))
{
    Fuzzer.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        target(buffer.ToArray());
    });
    return 0;
}
Console.Error.WriteLine("usage: Ingest.Fuzz framer|gb32960|hj1239|session | seeds VECTORS.tsv OUTDIR | replay TARGET FILE|DIR... | corpus PREFIX MAXBYTES DIR");
return 2;

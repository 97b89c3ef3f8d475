using Ingest.Fuzz.Session;
using Ingest.Fuzz.Targets;

namespace Ingest.Tests.Fuzz;

/// <summary>
/// The session fuzz target of tests/Fuzz (the real connection handler's read loop over an in-memory pipe) over its
/// seed corpus (vectors.tsv, as scripts/fuzz.sh builds it) and the committed corpus (tests/Fuzz/Corpus/session.tsv).
/// </summary>
/// <remarks>The target's handler records metrics under the sessions meter name: runs apart from tests that sum them.</remarks>
[Collection(Ingest.Tests.SystemTests.ProcessWideMetrics.Name)]
public class SessionFuzzReplayTests
{
    [Fact]
    public void Every_seed_and_committed_input_keeps_the_session_invariants_and_the_corpus_reaches_both_outcomes()
    {
        var seeds = SeedCorpus.FromVectors(File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Vectors", "vectors.tsv")))["session"];
        var committed = SeedCorpus.FromCorpusFile(File.ReadLines(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", "session.tsv")));
        var outcomes = new Dictionary<FuzzOutcome, int>();
        var failures = new List<string>();
        foreach (var input in seeds.Concat(committed))
        {
            try
            {
                var outcome = SessionTarget.Run(input.Input);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            catch (Exception ex)
            {
                failures.Add($"{input.Name} ({Convert.ToHexString(input.Input)}): {ex.GetType().Name}: {ex.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(outcomes.GetValueOrDefault(FuzzOutcome.Accepted) >= 5, $"only {outcomes.GetValueOrDefault(FuzzOutcome.Accepted)} sessions stored frames");
        Assert.True(outcomes.GetValueOrDefault(FuzzOutcome.Rejected) >= 1, "no session stored nothing");
    }
}

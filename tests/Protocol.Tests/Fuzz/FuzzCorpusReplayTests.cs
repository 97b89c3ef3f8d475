using Ingest.Fuzz.Targets;
using Ingest.Protocol.Framing;

namespace Protocol.Tests.Fuzz;

/// <summary>
/// The fuzz targets of tests/Fuzz (framer, gb32960, hj1239) over their seed corpus (built from vectors.tsv, as
/// scripts/fuzz.sh builds it) and the committed corpus (tests/Fuzz/Corpus: inputs kept from fuzzing runs and every
/// finding, minimised). Each input must pass every invariant the target checks, so a regression in the framer or
/// a decoder, or a change that breaks the harness, fails here without AFL.
/// </summary>
public class FuzzCorpusReplayTests
{
    private static readonly Dictionary<string, Func<byte[], FuzzOutcome>> Targets = new()
    {
        ["framer"] = bytes => FramerTarget.Run(bytes),
        ["gb32960"] = bytes => Gb32960Target.Run(bytes),
        ["hj1239"] = bytes => Hj1239Target.Run(bytes),
    };

    private static readonly Lazy<Dictionary<string, List<FuzzInput>>> Seeds = new(() =>
        SeedCorpus.FromVectors(File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Vectors", "vectors.tsv"))));

    private static List<FuzzInput> Committed(string target) =>
        SeedCorpus.FromCorpusFile(File.ReadLines(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", target + ".tsv")));

    public static TheoryData<string> TargetNames => new(Targets.Keys);

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void Every_seed_and_committed_input_keeps_every_invariant_and_the_corpus_reaches_both_outcomes(string target)
    {
        var inputs = Seeds.Value[target].Concat(Committed(target)).ToList();
        var outcomes = new Dictionary<FuzzOutcome, int>();
        var failures = new List<string>();
        foreach (var input in inputs)
        {
            try
            {
                var outcome = Targets[target](input.Input);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            catch (Exception ex)
            {
                failures.Add($"{input.Name} ({Convert.ToHexString(input.Input)}): {ex.GetType().Name}: {ex.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // A harness whose inputs all fail early (or all pass trivially) checks nothing: both sides must be reached.
        Assert.True(outcomes.GetValueOrDefault(FuzzOutcome.Accepted) >= 5, $"{target}: only {outcomes.GetValueOrDefault(FuzzOutcome.Accepted)} inputs accepted");
        Assert.True(outcomes.GetValueOrDefault(FuzzOutcome.Rejected) >= 1, $"{target}: no input rejected");
    }

    [Fact]
    public void The_allocation_guard_fails_an_action_that_allocates_past_its_budget_even_on_a_repeat()
    {
        var violation = Assert.Throws<InvariantViolation>(() => Invariant.AllocatesAtMost(1024, "allocator", () => GC.KeepAlive(new byte[4096])));
        Assert.Contains("allocator", violation.Message);
        Invariant.AllocatesAtMost(8192, "allocator", () => GC.KeepAlive(new byte[4096]));
    }

    [Fact]
    public void Segmented_input_holds_the_same_bytes_over_several_segments()
    {
        var bytes = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        var sequence = Invariant.Segmented(bytes, 7);
        Assert.False(sequence.IsSingleSegment);
        Assert.Equal(bytes, System.Buffers.BuffersExtensions.ToArray(sequence));
    }

    [Fact]
    public void A_frame_behind_lone_marker_bytes_is_found_by_one_scan_and_by_chunked_reads_alike()
    {
        // The invariant the framer target adds over unit tests: chunked reads find the frames one scan finds. A
        // frame behind a lone marker byte at a read boundary is the classic case; it must be found either way.
        var frame = Seeds.Value["framer"].First(s => s.Name.StartsWith("000-", StringComparison.Ordinal)).Input[1..];
        byte[] input = [0x00, (byte)'#', .. frame, (byte)'#', (byte)'#', .. frame];
        Assert.Equal(FuzzOutcome.Accepted, FramerTarget.Run(input));
        Assert.Equal(FrameScanStatus.Frame, FrameScanner.Scan(frame, FramingOptions.Default).Status);
    }
}

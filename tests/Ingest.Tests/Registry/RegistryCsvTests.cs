using Ingest.Registry;
using Ingest.Tools;

namespace Ingest.Tests.Registry;

/// <summary>
/// The registry's CSV format, its durable file and the offline import command: what an OEM's export turns into,
/// which rows are refused and where, and that a change survives a reopen and never shows half-done to readers.
/// </summary>
public sealed class RegistryCsvTests : IDisposable
{
    private const string Header = "vin,tenant,iccid,chip_id,sm2_public_key,model,platforms";
    private static readonly string KeyXy = string.Concat(Enumerable.Repeat("A1B2C3D4", 16)); // 64 bytes X || Y
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ingest-tests", "registry-" + Guid.NewGuid().ToString("N"));

    public RegistryCsvTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private static RegistryCsvResult Parse(string text) => RegistryCsv.Read(new StringReader(text), "fleet.csv");

    [Fact]
    public void Rows_become_filings_with_the_key_as_an_uncompressed_point_and_platforms_split_on_semicolons()
    {
        var result = Parse($"{Header}\nLFILEDVEHICLE0001,oem-a,89860616020046379629,CHIP0001,{KeyXy},EV-300,national;provincial\n" +
            "LFILEDVEHICLE0002,oem-b,,,,,\n");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var first = result.Filings[0];
        Assert.Equal(("LFILEDVEHICLE0001", "oem-a", "89860616020046379629", "CHIP0001", "EV-300"), (first.Vin, first.Tenant, first.Iccid, first.ChipId, first.Model));
        Assert.Equal(65, first.Sm2PublicKey!.Length);
        Assert.Equal(0x04, first.Sm2PublicKey[0]);
        Assert.Equal(KeyXy, Convert.ToHexString(first.Sm2PublicKey[1..]));
        Assert.Equal(["national", "provincial"], first.Platforms);
        Assert.True(first.IsFiledWith("NATIONAL"));
        var second = result.Filings[1];
        Assert.Equal((null, null, null, null), (second.Iccid, second.ChipId, second.Sm2PublicKey, second.Model));
        Assert.Empty(second.Platforms);
    }

    [Fact]
    public void Written_filings_read_back_equal_including_quoted_fields_and_columns_in_another_order()
    {
        var filings = new List<VehicleFiling>
        {
            new("LFILEDVEHICLE0001", "oem, \"north\"", "89860616020046379629", "CHIP0001", [0x04, .. Convert.FromHexString(KeyXy)], "EV 300", ["national"]),
            new("LFILEDVEHICLE0002", "oem-b"),
        };
        var text = new StringWriter();
        RegistryCsv.Write(text, filings);
        var back = Parse(text.ToString());
        Assert.True(back.IsValid, string.Join("; ", back.Errors));
        Assert.Equal(filings.Count, back.Filings.Count);
        for (int i = 0; i < filings.Count; i++)
        {
            AssertSame(filings[i], back.Filings[i]);
        }

        var reordered = Parse("platforms,vin,tenant\nnational,LFILEDVEHICLE0003,oem-c\n");
        Assert.True(reordered.IsValid, string.Join("; ", reordered.Errors));
        Assert.Equal(("LFILEDVEHICLE0003", "oem-c", "national"), (reordered.Filings[0].Vin, reordered.Filings[0].Tenant, reordered.Filings[0].Platforms.Single()));
    }

    public static TheoryData<string, string> BadRows => new()
    {
        { "LSHORT,oem-a,,,,,", "fleet.csv line 2 column 1 (vin): 'LSHORT' is not 17 letters and digits" },
        { "LFILEDVEHICLE0009,,,,,,", "fleet.csv line 2 column 2 (tenant): empty" },
        { "LFILEDVEHICLE0009,oem-a,8986-0616,,,,", "fleet.csv line 2 column 3 (iccid)" },
        { "LFILEDVEHICLE0009,oem-a,,,ZZ,,", "fleet.csv line 2 column 5 (sm2_public_key): not hexadecimal" },
        { "LFILEDVEHICLE0009,oem-a,,,0102,,", "fleet.csv line 2 column 5 (sm2_public_key): 2 bytes" },
        { $"LFILEDVEHICLE0009,oem-a,,,05{KeyXy},,", "starts with 04 (uncompressed point), this one with 05" },
        { "LFILEDVEHICLE0009,oem-a", "fleet.csv line 2: 2 fields, the header has 7" },
        { "\"LFILEDVEHICLE0009,oem-a,,,,,", "fleet.csv line 2: a quoted field is never closed" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void A_bad_row_is_an_error_naming_file_line_and_column(string row, string expected)
    {
        var result = Parse($"{Header}\n{row}\n");
        Assert.False(result.IsValid);
        Assert.Contains(expected, Assert.Single(result.Errors).ToString());
        Assert.Empty(result.Filings);
    }

    [Fact]
    public void A_vin_twice_and_a_wrong_header_are_errors_too()
    {
        var twice = Parse($"{Header}\nLFILEDVEHICLE0001,a,,,,,\n\nLFILEDVEHICLE0001,b,,,,,\n");
        Assert.Equal("fleet.csv line 4 column 1 (vin): LFILEDVEHICLE0001 is already on line 2", Assert.Single(twice.Errors).ToString());
        var header = Parse("vin,owner\nLFILEDVEHICLE0001,a\n");
        Assert.Contains("fleet.csv line 1: the header lacks tenant; unknown columns owner", Assert.Single(header.Errors).ToString());
        Assert.False(Parse("").IsValid);
    }

    [Fact]
    public async Task A_change_is_in_the_file_when_it_returns_and_a_reopened_registry_has_it()
    {
        var file = new RegistryFile(Path.Combine(_folder, "registry.json"));
        var registry = VehicleRegistry.Open(file);
        await registry.UpsertAsync(Parse($"{Header}\nLFILEDVEHICLE0001,oem-a,89860616020046379629,CHIP0001,{KeyXy},EV-300,national\nLFILEDVEHICLE0002,oem-b,,,,,\n").Filings);
        await registry.RemoveAsync(["LFILEDVEHICLE0002"]);

        var reopened = VehicleRegistry.Open(new RegistryFile(file.Path));
        Assert.Equal(1, reopened.Count);
        Assert.True(reopened.TryGet("LFILEDVEHICLE0001", out var filing));
        AssertSame(registry.List().Single(), filing);
        Assert.False(File.Exists(file.Path + ".tmp"));
    }

    [Fact]
    public async Task Readers_during_writes_always_see_a_whole_snapshot()
    {
        var registry = VehicleRegistry.Open(new RegistryFile(Path.Combine(_folder, "registry.json")));
        // Each write replaces the same 50 VINs with one generation's tenant: a reader must never mix generations.
        var vins = Enumerable.Range(0, 50).Select(i => $"LCONCURRENT{i:D6}").ToList();
        using var stop = new CancellationTokenSource();
        long reads = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var seen = registry.List();
                if (seen.Count > 0)
                {
                    Assert.Equal(vins.Count, seen.Count);
                    Assert.Single(seen.Select(f => f.Tenant).Distinct());
                }
                if (registry.TryGet(vins[0], out var first) && registry.TryGet(vins[^1], out var last))
                {
                    Assert.True(string.CompareOrdinal(first.Tenant, last.Tenant) <= 0, "a later read saw an older generation");
                }
                Interlocked.Increment(ref reads);
            }
        })).ToList();
        for (int generation = 0; generation < 30; generation++)
        {
            await registry.UpsertAsync(vins.Select(v => new VehicleFiling(v, $"gen-{generation:D3}")).ToList());
        }
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.True(Interlocked.Read(ref reads) > 0);
        Assert.Equal(30, registry.Version);
        Assert.All(VehicleRegistry.Open(new RegistryFile(Path.Combine(_folder, "registry.json"))).List(), f => Assert.Equal("gen-029", f.Tenant));
    }

    [Fact]
    public async Task The_import_command_merges_a_csv_into_the_registry_file_and_writes_nothing_when_a_row_is_bad()
    {
        var spool = Path.Combine(_folder, "spool");
        var good = Path.Combine(_folder, "good.csv");
        await File.WriteAllTextAsync(good, $"{Header}\nLFILEDVEHICLE0001,oem-a,89860616020046379629,,,,national\n");
        var bad = Path.Combine(_folder, "bad.csv");
        await File.WriteAllTextAsync(bad, $"{Header}\nLFILEDVEHICLE0002,oem-a,,,,,\nLBAD,oem-a,,,,,\nLFILEDVEHICLE0003,,,,,,\n");

        var output = new StringWriter();
        Assert.Equal(0, await IngestCommandLine.RunAsync(["registry", "import", good, "--spool-dir", spool], output, new StringWriter()));
        Assert.Contains("1 vehicles imported", output.ToString());
        var error = new StringWriter();
        Assert.Equal(RegistryCommand.BadRows, await IngestCommandLine.RunAsync(["registry", "import", bad, "--spool-dir", spool], new StringWriter(), error));
        Assert.Contains($"{bad} line 3 column 1 (vin)", error.ToString());
        Assert.Contains($"{bad} line 4 column 2 (tenant)", error.ToString());

        var registry = VehicleRegistry.Open(new RegistryFile(Path.Combine(spool, "registry.json")));
        Assert.Equal(["LFILEDVEHICLE0001"], registry.List().Select(f => f.Vin));
        var exported = new StringWriter();
        Assert.Equal(0, await IngestCommandLine.RunAsync(["registry", "export", "--spool-dir", spool], exported, new StringWriter()));
        Assert.Equal($"{Header}\nLFILEDVEHICLE0001,oem-a,89860616020046379629,,,,national\n", exported.ToString());
    }

    private static void AssertSame(VehicleFiling expected, VehicleFiling actual)
    {
        Assert.Equal((expected.Vin, expected.Tenant, expected.Iccid, expected.ChipId, expected.Model),
            (actual.Vin, actual.Tenant, actual.Iccid, actual.ChipId, actual.Model));
        Assert.Equal(expected.Sm2PublicKey, actual.Sm2PublicKey);
        Assert.Equal(expected.Platforms, actual.Platforms);
    }
}

using Ingest.Quality;
using Ingest.Tests.Infrastructure;
using Ingest.Tools;

namespace Ingest.Tests.Quality;

/// <summary>
/// The report over a fleet with known gaps and bad values (<see cref="QualityFleet"/>), computed by the real query on
/// the real ClickHouse: it counts exactly the gaps and failures the fleet was built with, live and stored alike.
/// </summary>
public sealed class QualityReportTests : IClassFixture<QualityFleet>
{
    private readonly QualityFleet _fleet;

    public QualityReportTests(QualityFleet fleet) => _fleet = fleet;

    /// <summary>A clock on the day after the report day, so the day is closed.</summary>
    private static ManualTimeProvider DayAfter() => new(QualityFleet.T0.AddDays(1));

    /// <summary>A clock on the report day itself: the day is always computed live (another test stores it).</summary>
    private static ManualTimeProvider OnTheDay() => new(QualityFleet.T0.AddHours(12));

    [Fact]
    public async Task Live_computation_counts_exactly_the_gaps_and_failures_the_fleet_was_built_with()
    {
        var (rows, source) = await _fleet.Reports(OnTheDay()).GetDayAsync(QualityFleet.Day, CancellationToken.None);

        Assert.Equal(QualitySource.Live, source);
        Assert.Equal([QualityFleet.Gb1, QualityFleet.Gb2, QualityFleet.Hj1, QualityFleet.Unfiled], rows.Select(r => r.Vin));
        Assert.Equal(QualityFleet.ExpectedGb1, rows[0]);
        Assert.Equal(QualityFleet.ExpectedGb2, rows[1]);
        Assert.Equal(QualityFleet.ExpectedHj, rows[2]);
        Assert.Equal(QualityFleet.ExpectedUnfiled, rows[3]);
    }

    [Fact]
    public async Task A_stored_day_reads_back_the_same_rows_and_a_second_computation_replaces_the_first()
    {
        var reports = _fleet.Reports(DayAfter());
        var (live, _) = await reports.GetDayAsync(QualityFleet.Day, CancellationToken.None);

        await reports.StoreAsync(QualityFleet.Day, QualityFleet.Day, CancellationToken.None);
        await reports.StoreAsync(QualityFleet.Day, QualityFleet.Day, CancellationToken.None);
        var (stored, source) = await reports.GetDayAsync(QualityFleet.Day, CancellationToken.None);

        Assert.Equal(QualitySource.Stored, source);
        Assert.Equal(live, stored);
        var (before, _) = await reports.GetDayAsync(QualityFleet.Day.AddDays(-1), CancellationToken.None);
        Assert.Empty(before);
    }

    [Fact]
    public async Task Tenant_groups_count_filed_silent_vehicles_as_offline_and_hide_other_tenants()
    {
        var (rows, _) = await _fleet.Reports(OnTheDay()).GetDayAsync(QualityFleet.Day, CancellationToken.None);

        var (vehicles, groups) = QualityGroup.Build(QualityFleet.Day, rows, _fleet.Registry, "oem-a");

        Assert.Equal([QualityFleet.Gb1, QualityFleet.Gb2, QualityFleet.Gb3], vehicles.Select(v => v.Vin));
        Assert.False(vehicles[2].Online);
        Assert.Equal(2, groups.Count);
        var ev1 = groups[0];
        Assert.Equal(("oem-a", "EV-1", 2L, 2L), (ev1.Tenant, ev1.Model, ev1.Vehicles, ev1.OnlineVehicles));
        Assert.Equal((34L, 32L, 3L, 8L), (ev1.Samples, ev1.RunningSamples, ev1.MissingSamples, ev1.FailedSamples));
        Assert.Equal(3.0 / 35, ev1.MissingRate, 6);
        Assert.Equal(1 - 8.0 / 34, ev1.CheckPassRate, 6);
        Assert.Equal(2L, ev1.Failures["position"]);
        var ev2 = groups[1];
        Assert.Equal(("oem-a", "EV-2", 1L, 0L, 0.0), (ev2.Tenant, ev2.Model, ev2.Vehicles, ev2.OnlineVehicles, ev2.OnlineRate));

        // Every tenant (admin): the unfiled vehicle appears under tenant "".
        var (all, allGroups) = QualityGroup.Build(QualityFleet.Day, rows, _fleet.Registry, null);
        Assert.Equal(5, all.Count);
        Assert.Equal(["", "oem-a", "oem-a", "oem-b"], allGroups.Select(g => g.Tenant));
    }

    [Fact]
    public async Task One_vehicle_over_several_days_reads_stored_days_and_computes_the_rest()
    {
        var reports = _fleet.Reports(DayAfter());

        var days = await reports.GetVehicleAsync(QualityFleet.Gb2, QualityFleet.Day.AddDays(-2), QualityFleet.Day.AddDays(1), CancellationToken.None);

        Assert.Single(days);
        Assert.Equal(QualityFleet.ExpectedGb2, days[0].Row);
    }

    [Fact]
    public async Task A_longer_gap_than_MaxCountedGap_and_a_longer_interval_are_configuration()
    {
        // Gaps up to 59 s only: the 60 s gap of the faulty vehicle is taken as a stop. A 60 s reporting interval: no gap at all.
        var capped = _fleet.Reports(OnTheDay(), new QualityOptions { MaxCountedGap = TimeSpan.FromSeconds(59), Gb32960 = { ReportInterval = TimeSpan.FromSeconds(30) } });
        var rows = (await capped.GetDayAsync(QualityFleet.Day, CancellationToken.None)).Rows;
        Assert.Equal((1L, 2L), (rows[1].Gaps, rows[1].MissingSamples));

        var lenient = _fleet.Reports(OnTheDay(), new QualityOptions
        {
            Gb32960 = { ReportInterval = TimeSpan.FromSeconds(60), AlarmReportInterval = TimeSpan.FromSeconds(3), SocPercent = new ValueRange(0, 120) },
        });
        rows = (await lenient.GetDayAsync(QualityFleet.Day, CancellationToken.None)).Rows;
        Assert.Equal((0L, 0L, 0L, 7L), (rows[1].Gaps, rows[1].MissingSamples, rows[1].FailSoc, rows[1].FailedSamples));
    }

    [Fact]
    public async Task The_quality_command_writes_the_day_as_csv()
    {
        var file = Path.Combine(Path.GetTempPath(), "quality-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = await IngestCommandLine.RunAsync(
            [
                "quality", "--date", "2026-12-05", "--tenant", "oem-a", "--out", file,
                "--clickhouse", _fleet.Database.Options.Endpoint!, "--database", _fleet.Database.Name,
                "--ClickHouse:User=" + _fleet.Database.Options.User, "--ClickHouse:Password=" + _fleet.Database.Options.Password,
                "--Registry:File=" + _fleet.RegistryFile,
            ], output, error);

            Assert.True(exit == 0, error.ToString());
            var lines = await File.ReadAllLinesAsync(file);
            Assert.Equal(4, lines.Length);
            Assert.StartsWith("day,tenant,model,vin,protocol,online,frames,realtime_frames,reissue_frames,late_frames,samples,running_samples,gaps,missing_samples,", lines[0]);
            Assert.Equal("2026-12-05,oem-a,EV-1,LQUALGB0000000002,gb32960,1,16,14,1,1,14,12,2,3,60,8,1,1,1,1,2,1,1,0.2,0.428571,0.066667", lines[2]);
            Assert.StartsWith("2026-12-05,oem-a,EV-2,LQUALGB0000000003,unknown,0,0,", lines[3]);
            Assert.Contains("3 vehicles", output.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_quality_command_refuses_a_bad_rule_in_one_line_with_exit_code_2()
    {
        var error = new StringWriter();
        int exit = await IngestCommandLine.RunAsync(
            ["quality", "--clickhouse", _fleet.Database.Options.Endpoint!, "--Quality:Gb32960:SocPercent:Min=50", "--Quality:Gb32960:SocPercent:Max=10"],
            new StringWriter(), error);

        Assert.Equal(IngestCommandLine.WrongArguments, exit);
        Assert.Contains("Quality:Gb32960:SocPercent: Min (50) must be a number not above Max (10).", error.ToString());
    }

    [Fact]
    public async Task A_node_starting_after_the_daily_hour_stores_yesterday_at_once()
    {
        var time = DayAfter();
        var options = new QualityOptions { RecomputeDays = 2 };
        var reports = _fleet.Reports(time, options);
        var store = new QualityStore(_fleet.Database.Database, options);
        var schedule = new QualitySchedule(reports, store, Microsoft.Extensions.Options.Options.Create(options), time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<QualitySchedule>.Instance);

        await schedule.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(async () => (await store.StoredDaysAsync(QualityFleet.Day, QualityFleet.Day, CancellationToken.None)).Count == 1,
                "the report day is stored");
        }
        finally
        {
            await schedule.StopAsync(CancellationToken.None);
        }
        var stored = await store.ReadStoredAsync(QualityFleet.Day, QualityFleet.Day, QualityFleet.Gb2, CancellationToken.None);
        Assert.Equal(QualityFleet.ExpectedGb2, Assert.Single(stored));
    }

    [Fact]
    public void The_daily_run_is_at_the_configured_local_hour()
    {
        var options = new QualityOptions();
        // 01:59 Beijing: the run is at 02:00 the same day; at 02:00 exactly, the next day's.
        var before = new DateTimeOffset(2026, 12, 6, 1, 59, 0, TimeSpan.FromHours(8));
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.FromHours(8)), QualitySchedule.NextRun(before, options));
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 2, 0, 0, TimeSpan.FromHours(8)),
            QualitySchedule.NextRun(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.FromHours(8)), options));
    }
}

using System.ComponentModel.DataAnnotations;
using Ingest.Spool;

namespace Ingest.Tests.Spool;

public class SpoolOptionsTests
{
    [Fact]
    public void Defaults_with_a_directory_are_valid()
    {
        var options = new SpoolOptions { Directory = "/var/lib/ingest/spool" };

        Assert.Empty(options.Validate());
        Assert.Equal(64L * 1024 * 1024, options.SegmentBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(2), options.FlushInterval);
        Assert.Equal(0.9, options.NearBudgetRatio);
        Assert.Equal(TimeSpan.FromHours(1), options.RetainAfterConsumed);
        Assert.Equal(0, options.RetainAfterConsumedBytes);
        Assert.Equal(TimeSpan.FromHours(24), options.OrphanedCursorGrace);
    }

    public static TheoryData<string, Action<SpoolOptions>> InvalidSettings => new()
    {
        { "Directory", o => o.Directory = " " },
        { "SegmentBytes", o => o.SegmentBytes = 1000 },
        { "FlushInterval", o => o.FlushInterval = TimeSpan.FromSeconds(5) },
        { "FlushInterval", o => o.FlushInterval = TimeSpan.FromMilliseconds(-1) },
        { "MaxRecordBytes", o => o.MaxRecordBytes = 0 },
        { "MaxBatchBytes", o => o.MaxBatchBytes = o.MaxRecordBytes },
        { "DiskBudgetBytes", o => o.DiskBudgetBytes = o.SegmentBytes },
        { "NearBudgetRatio", o => o.NearBudgetRatio = 1.5 },
        { "RetainAfterConsumed", o => o.RetainAfterConsumed = TimeSpan.FromSeconds(-1) },
        { "RetainAfterConsumed", o => o.RetainAfterConsumed = TimeSpan.FromDays(400) },
        { "RetainAfterConsumedBytes", o => o.RetainAfterConsumedBytes = -1 },
        { "RetainAfterConsumedBytes", o => o.RetainAfterConsumedBytes = o.DiskBudgetBytes },
        { "OrphanedCursorGrace", o => o.OrphanedCursorGrace = TimeSpan.FromMinutes(-1) },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Each_invalid_setting_is_named_in_one_message(string setting, Action<SpoolOptions> spoil)
    {
        var options = new SpoolOptions { Directory = "/spool" };
        spoil(options);

        var message = Assert.Single(options.Validate());
        Assert.StartsWith($"Spool:{setting} ", message);
    }

    [Fact]
    public void Data_annotation_validation_reports_the_same_messages()
    {
        var options = new SpoolOptions { Directory = "", NearBudgetRatio = 2 };
        var results = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.Equal(options.Validate(), results.Select(r => r.ErrorMessage));
    }

    [Fact]
    public void Open_refuses_invalid_options_with_every_message()
    {
        var options = new SpoolOptions { Directory = "", SegmentBytes = 10 };

        var error = Assert.Throws<ArgumentException>(() => FileSpool.Open(options));
        Assert.Contains("Spool:Directory", error.Message);
        Assert.Contains("Spool:SegmentBytes", error.Message);
    }
}

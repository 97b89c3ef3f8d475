using Ingest.AlarmEvents;
using Ingest.Forwarder.Diagnostics;
using Ingest.Projection;
using Ingest.Quality;
using Ingest.Relay;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.Redis;
using Ingest.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace Ingest.Hosting;

/// <summary>Registers the spool and the consumers behind it, each only when configured.</summary>
public static class IngestComponents
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SpoolOptions>()
            .Bind(configuration.GetSection(SpoolOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IFrameSpool>(sp => FileSpool.Open(
            sp.GetRequiredService<IOptions<SpoolOptions>>().Value,
            sp.GetRequiredService<ILogger<FileSpool>>(),
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            ConfiguredConsumers(sp.GetRequiredService<StorageConfiguration>(), sp.GetRequiredService<IOptions<ForwarderOptions>>().Value,
                sp.GetService<IOptions<AlarmOptions>>()?.Value.Enabled ?? false)));

        services.AddSingleton(sp => new SpoolConsumerMetrics(sp.GetRequiredService<IMeterFactory>()));
        services.AddSingleton<IClickHouseRowProjector, ClickHouseRowProjector>();
        services.AddSingleton<IVehicleStateProjector, VehicleStateProjector>();
        var storage = new StorageConfiguration(
            ClickHouse: services.AddClickHouseSink(configuration.GetSection("ClickHouse")),
            Redis: services.AddVehicleState(configuration.GetSection("Redis")));
        services.AddSingleton(storage);
        services.AddQualityReport(configuration.GetSection(QualityOptions.SectionName), storage.ClickHouse);
        if (storage.ClickHouse && storage.Redis)
        {
            services.AddSingleton<IVehicleStateSource, ClickHouseVehicleStateSource>();
            services.AddVehicleStateRebuild(configuration.GetSection("Redis"));
        }
        services.AddHostedService<StartupReport>();
        services.AddAlarms(configuration.GetSection(AlarmOptions.SectionName), storage);

        services.AddOptions<ForwarderOptions>()
            .Bind(configuration.GetSection(ForwarderOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ForwarderOptions>, ForwarderOptionsValidator>();
        services.AddSingleton<ForwarderMetrics>();
        if (configuration.GetSection(ForwarderOptions.Section).GetSection("Links").GetChildren().Any())
        {
            services.AddHostedService<ForwarderService>();
        }
    }

    /// <summary>
    /// The spool consumers this host runs: the Redis state sink always (in process without Redis), the ClickHouse sink
    /// when configured, one relay per forwarder link, the alarm detector when enabled. Any other cursor on disk is
    /// orphaned (Spool:OrphanedCursorGrace).
    /// </summary>
    public static IReadOnlyCollection<string> ConfiguredConsumers(StorageConfiguration storage, ForwarderOptions forwarder, bool alarms = false)
    {
        var names = new List<string> { RedisStateSink.ConsumerName };
        if (storage.ClickHouse)
        {
            names.Add(ClickHouseSink.ConsumerName);
        }

        names.AddRange(forwarder.Links.Select(link => ForwarderService.ConsumerName(link.Name)));
        if (alarms)
        {
            names.Add(AlarmDetectorService.ConsumerName);
        }
        return names;
    }
}

/// <summary>Which storage the host was started with; said at start and on /readyz.</summary>
public sealed record StorageConfiguration(bool ClickHouse, bool Redis);

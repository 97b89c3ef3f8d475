using Ingest.Hosting;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.Redis;
using Ingest.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace Ingest.AlarmEvents;

public static class AlarmServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="AlarmOptions"/> from <paramref name="section"/> (<c>Alarms</c>) and, when enabled,
    /// registers the detector (spool cursor <c>alarms</c>), its outbox and one delivery per destination: ClickHouse
    /// and Redis when <paramref name="storage"/> has them, and each webhook. Returns whether alarms are enabled.
    /// </summary>
    public static bool AddAlarms(this IServiceCollection services, IConfigurationSection section, StorageConfiguration storage)
    {
        services.AddOptions<AlarmOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlarmOptions>, AlarmOptionsValidator>());
        var configured = section.Get<AlarmOptions>() ?? new AlarmOptions();
        if (!configured.Enabled)
        {
            return false;
        }
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AlarmMetrics>();
        services.TryAddSingleton(sp => new RecentAlarms(Options(sp).RecentEvents));
        services.TryAddSingleton(sp =>
        {
            var options = Options(sp);
            return AlarmOutbox.Open(Directory(sp), options.OutboxBudgetBytes, AlarmDeliveryService.ConsumerNames(options, storage.ClickHouse, storage.Redis),
                sp.GetRequiredService<ILogger<FileSpool>>(), sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<TimeProvider>());
        });
        services.AddHostedService(sp =>
        {
            var options = Options(sp);
            var ingest = sp.GetRequiredService<IOptions<IngestOptions>>().Value;
            return new AlarmDetectorService(
                sp.GetRequiredService<IFrameSpool>(),
                sp.GetRequiredService<AlarmOutbox>(),
                new AlarmDetector(options, ingest.NodeName, ingest.Listeners),
                sp.GetRequiredService<RecentAlarms>(),
                sp.GetRequiredService<AlarmMetrics>(),
                options,
                Directory(sp),
                sp.GetRequiredService<ILogger<AlarmDetectorService>>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<SpoolConsumerMetrics>());
        });
        services.AddHostedService(sp =>
        {
            var options = Options(sp);
            var metrics = sp.GetRequiredService<AlarmMetrics>();
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<ILogger<AlarmDeliveryService>>();
            var deliveries = new List<AlarmDelivery>();
            if (storage.ClickHouse)
            {
                deliveries.Add(new ClickHouseAlarmDelivery(sp.GetRequiredService<ClickHouseDatabase>(), metrics, time));
            }
            if (storage.Redis && sp.GetRequiredService<IVehicleStateStore>() is RedisVehicleStateStore redis)
            {
                var prefix = sp.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix;
                deliveries.Add(new RedisAlarmDelivery(() => redis.Database, StreamKey(prefix, options), options.RedisStreamMaxLength, metrics, time));
            }
            deliveries.AddRange(options.Webhooks.Select(w => new WebhookDelivery(w, metrics, time, logger)));
            return new AlarmDeliveryService(sp.GetRequiredService<AlarmOutbox>(), deliveries, options, Directory(sp), logger, time,
                sp.GetService<SpoolConsumerMetrics>());
        });
        return true;
    }

    /// <summary>The Redis stream of alarm events: <c>{prefix}:{stream}</c>, the stream name as the hash tag.</summary>
    public static string StreamKey(string prefix, AlarmOptions options) => $"{prefix}:{{{options.RedisStream}}}";

    private static AlarmOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<AlarmOptions>>().Value;

    private static string Directory(IServiceProvider sp) =>
        Options(sp).ResolveDirectory(sp.GetRequiredService<IOptions<SpoolOptions>>().Value.Directory);
}

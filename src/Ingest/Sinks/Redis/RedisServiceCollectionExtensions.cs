using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Sinks.Redis;

public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="RedisOptions"/> from <paramref name="section"/> (<c>Redis</c>), registers the
    /// <see cref="IVehicleStateStore"/> (Redis when an endpoint is configured, otherwise in-process) and the
    /// <see cref="RedisStateSink"/> hosted service. The caller registers <c>IFrameSpool</c> and an
    /// <see cref="IVehicleStateProjector"/>. Returns whether Redis is configured (log a warning when not).
    /// </summary>
    public static bool AddVehicleState(this IServiceCollection services, IConfigurationSection section)
    {
        services.AddOptions<RedisOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisEndpointValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisStateMetrics>();
        var options = section.Get<RedisOptions>() ?? new RedisOptions();
        if (options.IsConfigured)
        {
            // AbortOnConnectFail=false: this returns promptly even when Redis is down, and reconnects in the background.
            services.TryAddSingleton<IVehicleStateStore>(sp =>
            {
                // The first connect waits up to ConnectTimeout when Redis is down: say so, rather than pause silently.
                var redis = sp.GetRequiredService<IOptions<RedisOptions>>().Value;
                var logger = sp.GetRequiredService<ILogger<RedisVehicleStateStore>>();
                RedisStateLog.Connecting(logger, redis.Endpoint!, redis.ConnectTimeout);
                var store = RedisVehicleStateStore.Connect(redis, sp.GetRequiredService<RedisStateMetrics>(), logger,
                    sp.GetRequiredService<TimeProvider>());
                if (!store.IsConnected)
                {
                    RedisStateLog.UnreachableAtStart(logger, redis.Endpoint!);
                }
                return store;
            });
        }
        else
        {
            services.TryAddSingleton<IVehicleStateStore>(sp => new InMemoryVehicleStateStore(
                sp.GetRequiredService<IOptions<RedisOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        }
        services.AddHostedService<RedisStateSink>();
        services.AddHostedService<VehicleStateSweep>();
        return options.IsConfigured;
    }

    /// <summary>
    /// With Redis configured: registers <see cref="RedisStateRebuild"/>, which rebuilds live state from the
    /// <see cref="IVehicleStateSource"/> the caller registers (ClickHouse) when Redis comes back without its sentinel.
    /// Off with <see cref="RedisOptions.RebuildFromClickHouse"/> = false.
    /// </summary>
    public static void AddVehicleStateRebuild(this IServiceCollection services, IConfigurationSection section)
    {
        var options = section.Get<RedisOptions>() ?? new RedisOptions();
        if (!options.IsConfigured || !options.RebuildFromClickHouse)
        {
            return;
        }
        services.AddHostedService(sp => new RedisStateRebuild(
            (RedisVehicleStateStore)sp.GetRequiredService<IVehicleStateStore>(),
            sp.GetRequiredService<IVehicleStateSource>(),
            sp.GetRequiredService<IOptions<RedisOptions>>(),
            sp.GetRequiredService<RedisStateMetrics>(),
            sp.GetRequiredService<ILogger<RedisStateRebuild>>(),
            sp.GetRequiredService<TimeProvider>()));
    }
}

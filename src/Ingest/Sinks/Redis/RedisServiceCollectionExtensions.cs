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
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisStateMetrics>();
        var options = section.Get<RedisOptions>() ?? new RedisOptions();
        if (options.IsConfigured)
        {
            // AbortOnConnectFail=false: this returns promptly even when Redis is down, and reconnects in the background.
            services.TryAddSingleton<IVehicleStateStore>(sp => RedisVehicleStateStore.Connect(
                sp.GetRequiredService<IOptions<RedisOptions>>().Value,
                sp.GetRequiredService<RedisStateMetrics>(),
                sp.GetRequiredService<ILogger<RedisVehicleStateStore>>(),
                sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.TryAddSingleton<IVehicleStateStore>(sp => new InMemoryVehicleStateStore(
                sp.GetRequiredService<IOptions<RedisOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        }
        services.AddHostedService<RedisStateSink>();
        return options.IsConfigured;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ingest.Sinks.ClickHouse;

public static class ClickHouseServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="ClickHouseOptions"/> from <paramref name="section"/> (<c>ClickHouse</c>) and, when an
    /// endpoint is configured, registers <see cref="ClickHouseDatabase"/>, <see cref="ClickHouseFrameHistory"/> and the
    /// <see cref="ClickHouseSink"/> hosted service. The caller registers <c>IFrameSpool</c> and an
    /// <see cref="IClickHouseRowProjector"/>. Returns whether ClickHouse is configured (log a warning when not).
    /// </summary>
    public static bool AddClickHouseSink(this IServiceCollection services, IConfigurationSection section)
    {
        services.AddOptions<ClickHouseOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClickHouseOptions>, ClickHouseOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClickHouseOptions>, ClickHouseOptionsEndpointValidator>());
        var options = section.Get<ClickHouseOptions>() ?? new ClickHouseOptions();
        if (!options.IsConfigured)
        {
            return false;
        }
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClickHouseSinkMetrics>();
        services.TryAddSingleton(sp => new ClickHouseDatabase(sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value));
        services.TryAddSingleton<ClickHouseFrameHistory>();
        services.AddHostedService<ClickHouseSink>();
        return true;
    }
}

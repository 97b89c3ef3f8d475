using Ingest.Sinks.ClickHouse;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Quality;

public static class QualityServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="QualityOptions"/> (always, so a bad rule refuses the start even without ClickHouse)
    /// and, with ClickHouse, registers the report and its daily schedule. Without ClickHouse the endpoints answer 503.
    /// </summary>
    public static IServiceCollection AddQualityReport(this IServiceCollection services, IConfigurationSection section, bool clickHouse)
    {
        services.AddOptions<QualityOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QualityOptions>, QualityOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QualityOptions>, QualityOptionsRulesValidator>());
        if (!clickHouse)
        {
            return services;
        }
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new QualityStore(sp.GetRequiredService<ClickHouseDatabase>(), sp.GetRequiredService<IOptions<QualityOptions>>().Value));
        services.TryAddSingleton(sp => new QualityReports(sp.GetRequiredService<QualityStore>(), sp.GetRequiredService<IOptions<QualityOptions>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<QualityReports>>()));
        services.AddHostedService<QualitySchedule>();
        return services;
    }
}

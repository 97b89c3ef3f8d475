using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ingest.Http;

public static class HttpServiceCollectionExtensions
{
    /// <summary>Binds and validates <see cref="HttpOptions"/> from <paramref name="section"/> (<c>Http</c>) and registers the history limiter.</summary>
    public static IServiceCollection AddHttpQueries(this IServiceCollection services, IConfigurationSection section)
    {
        services.AddOptions<HttpOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpOptions>, HttpOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<HistoryQueryLimiter>();
        return services;
    }
}

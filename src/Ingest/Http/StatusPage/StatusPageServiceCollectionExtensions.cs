using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Ingest.Http.StatusPage;

public static class StatusPageServiceCollectionExtensions
{
    /// <summary>The status page's counters (listening from start, so its totals match the exported ones) and its report.</summary>
    public static IServiceCollection AddStatusPage(this IServiceCollection services)
    {
        services.TryAddSingleton<StatusCounters>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<StatusCounters>());
        services.TryAddSingleton<StatusReport>();
        return services;
    }
}

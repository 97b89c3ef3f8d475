using Ingest.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Registry;

public static class RegistryServiceCollectionExtensions
{
    public static IServiceCollection AddVehicleRegistry(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<RegistryOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>();
        services.AddSingleton<IVehicleRegistry>(sp =>
        {
            var file = new RegistryFile(sp.GetRequiredService<IOptions<RegistryOptions>>().Value.ResolveFile(
                sp.GetRequiredService<IOptions<SpoolOptions>>().Value.Directory));
            var registry = VehicleRegistry.Open(file);
            RegistryLog.Opened(sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(VehicleRegistry)), file.Path, registry.Count);
            return registry;
        });
        // Before the terminal ports open (WebApplication starts hosted services before its server).
        services.AddHostedService<RegistryStartupImport>();
        return services;
    }
}

using Ingest.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ingest.Registry;

public static class RegistryServiceCollectionExtensions
{
    public static IServiceCollection AddVehicleRegistry(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<RegistryOptions>().Bind(section);
        services.AddSingleton<IVehicleRegistry>(sp => VehicleRegistry.Open(new RegistryFile(
            sp.GetRequiredService<IOptions<RegistryOptions>>().Value.ResolveFile(sp.GetRequiredService<IOptions<SpoolOptions>>().Value.Directory))));
        return services;
    }
}

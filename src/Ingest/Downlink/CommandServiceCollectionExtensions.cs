using Ingest.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ingest.Downlink;

public static class CommandServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="CommandOptions"/> from <paramref name="section"/> (<c>Commands</c>) and registers the dispatcher,
    /// which is also where the session loop hands terminals' answers (<see cref="IDownlinkAnswers"/>).
    /// </summary>
    public static IServiceCollection AddDownlinkCommands(this IServiceCollection services, IConfigurationSection section)
    {
        services.AddOptions<CommandOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CommandOptions>, CommandOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<CommandMetrics>();
        services.TryAddSingleton<CommandDispatcher>();
        services.TryAddSingleton<IDownlinkAnswers>(sp => sp.GetRequiredService<CommandDispatcher>());
        return services;
    }
}

using System.Net;
using Ingest.Downlink;
using Ingest.Diagnostics;
using Ingest.Http;
using Ingest.Http.Security;
using Ingest.Http.StatusPage;
using Ingest.Registry;
using Ingest.Sessions;
using Ingest.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Ingest.Hosting;

/// <summary>Builds the ingest server on the Generic Host (via WebApplication, which adds Kestrel and routing).</summary>
public static class IngestHost
{
    /// <summary>Friendly command-line switches for what operators set most; any "--Section:Key=value" also works.</summary>
    public static readonly Dictionary<string, string> SwitchMappings = new()
    {
        ["--port"] = "Ingest:Listeners:0:Port",
        ["--listen-address"] = "Ingest:Listeners:0:Address",
        ["--protocol"] = "Ingest:Listeners:0:Protocol",
        ["--http"] = "Ingest:HttpUrl",
        ["--node"] = "Ingest:NodeName",
        ["--admission"] = "Ingest:Admission",
        ["--spool-dir"] = "Spool:Directory",
        ["--clickhouse"] = "ClickHouse:Endpoint",
        ["--redis"] = "Redis:Endpoint",
    };

    public const string EnvironmentPrefix = "INGEST_";

    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine(args, SwitchMappings);
        configure?.Invoke(builder.Configuration);

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // "AuthenticationScheme: ApiKey was challenged" at Information for every refused request; the handler counts and
        // logs refusals itself (Ingest.Http.Security, Debug).
        builder.Logging.AddFilter(typeof(ApiKeyAuthenticationHandler).FullName, LogLevel.Warning);

        // Validated by IngestOptionsValidator alone (it runs the data annotations too): one message per problem.
        builder.Services.AddOptions<IngestOptions>()
            .Bind(builder.Configuration.GetSection(IngestOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        // Read (and raised to the hard limit) once, at start: the connection limits are derived from it.
        builder.Services.AddSingleton(_ => ConnectionBudget.ForThisProcess());
        builder.Services.AddSingleton<IValidateOptions<IngestOptions>, ConnectionBudgetValidator>();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IngestMetrics>();
        builder.Services.AddSingleton<Signatures.SignatureVerifier>();
        builder.Services.AddSingleton<Signatures.SignatureMetrics>();
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<ReplyWriter>();
        builder.Services.AddSingleton(FrameBufferPool.Shared);
        builder.Services.AddSingleton<TerminalConnectionHandler>();
        builder.Services.AddHostedService<IdleSweep>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<IngestOptions>>().Value.Listeners
            .Select(l => new ListenerRuntime(l, sp.GetRequiredService<ConnectionBudget>(),
                l.Admission ?? sp.GetRequiredService<IOptions<IngestOptions>>().Value.Admission)).ToList());
        builder.Services.AddSingleton<AdmissionMetrics>();
        builder.Services.AddSingleton<AdmissionGate>();
        builder.Services.AddSingleton(sp => new RateLimiter(sp.GetRequiredService<IOptions<IngestOptions>>().Value.RateLimits,
            sp.GetRequiredService<TimeProvider>()));

        IngestComponents.Add(builder.Services, builder.Configuration);
        builder.Services.AddVehicleRegistry(builder.Configuration.GetSection(Registry.RegistryOptions.SectionName));
        builder.Services.AddHttpQueries(builder.Configuration.GetSection(HttpOptions.SectionName));
        builder.Services.AddApiKeySecurity();
        builder.Services.AddStatusPage();
        builder.Services.AddDownlinkCommands(builder.Configuration.GetSection(CommandOptions.SectionName));

        // Metrics carry service_name="ingest" and the node as the instance, not "unknown_service:Ingest".
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("ingest", serviceInstanceId: builder.Configuration[$"{IngestOptions.Section}:NodeName"] ?? Environment.MachineName))
            .WithMetrics(m => m
            .AddMeter(IngestMetrics.MeterName, "Ingest.*", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        builder.Services.AddOpenApi(ApiKeyOpenApi.Configure);
        // Times at +08:00 and no escaped '+', for every store and endpoint alike (Http/HttpJson).
        builder.Services.ConfigureHttpJsonOptions(o => Http.HttpJson.Configure(o.SerializerOptions));

        // Kestrel would announce every terminal port as "Now listening on: http://..."; the listeners and the HTTP
        // endpoint are reported by our own start-up lines instead (TerminalListeners, StartupReport).
        // (Kestrel logs them through the host's lifetime category, which only adds "Press Ctrl+C" and the content root.)
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.WebHost.UseSockets(o =>
        {
            // Idle terminals must cost next to nothing: no buffer until data arrives, small pause thresholds.
            o.WaitForDataBeforeAllocatingBuffer = true;
            // A fleet reconnecting after an outage arrives all at once: the default backlog (512) overflows, and every
            // dropped SYN costs its terminal a one-second retransmit. The kernel caps this at net.core.somaxconn.
            o.Backlog = 8192;
            o.MaxReadBufferSize = 256 * 1024;
            o.MaxWriteBufferSize = 64 * 1024;
        });
        // Every endpoint's accept goes through the descriptor budget (registered last, so Kestrel picks it first).
        builder.Services.AddSingleton<IConnectionListenerFactory>(sp => new BudgetedListenerFactory(
            ActivatorUtilities.CreateInstance<SocketTransportFactory>(sp), sp.GetRequiredService<ConnectionBudget>(),
            () => sp.GetRequiredService<List<ListenerRuntime>>(), sp.GetRequiredService<IngestMetrics>(),
            sp.GetRequiredService<ILogger<BudgetedListenerFactory>>()));
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = null;
            var sp = kestrel.ApplicationServices;
            var options = sp.GetRequiredService<IOptions<IngestOptions>>().Value;
            sp.GetRequiredService<HttpListeners>().Configure(kestrel, new Uri(options.HttpUrl),
                sp.GetRequiredService<IOptions<HttpOptions>>().Value, ConnectionBudget.MaxHttpConnections);
            TerminalListeners.Configure(kestrel, sp, sp.GetRequiredService<List<ListenerRuntime>>());
        });
        services?.Invoke(builder.Services);

        var app = builder.Build();
        // The metrics-only address answers nothing but /metrics.
        app.Use((context, next) => HttpListeners.IsMetricsConnection(context) && context.Request.Path != "/metrics"
            ? Results.NotFound().ExecuteAsync(context)
            : next(context));
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(ApiSecurityServiceCollectionExtensions.MetricsPolicy);
        // Needs a key (any scope), by the fallback policy: the document maps the admin surface, and every client
        // that can use the API holds a key to read it with.
        app.MapOpenApi("/openapi/{documentName}.json");
        HttpEndpoints.Map(app);
        app.Lifetime.ApplicationStarted.Register(() => ReportHttpSecurity(app.Services));
        return app;
    }

    private static void ReportHttpSecurity(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpListeners).FullName!);
        var keys = services.GetRequiredService<ApiKeyStore>();
        if (!keys.AnyActive)
        {
            SecurityLog.NoApiKeys(logger, keys.FilePath);
        }
        if (services.GetRequiredService<HttpListeners>().MetricsUrl is { } metrics)
        {
            SecurityLog.MetricsListener(logger, metrics.ToString());
        }
    }

    internal static bool ValidateObject(IngestOptions options, out List<System.ComponentModel.DataAnnotations.ValidationResult> results)
    {
        // The attributes on IngestOptions' own properties first (named with their key), then its cross-field rules.
        results = [];
        foreach (var property in typeof(IngestOptions).GetProperties())
        {
            var propertyResults = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            var propertyContext = new System.ComponentModel.DataAnnotations.ValidationContext(options) { MemberName = property.Name };
            if (property.GetIndexParameters().Length == 0
                && !System.ComponentModel.DataAnnotations.Validator.TryValidateProperty(property.GetValue(options), propertyContext, propertyResults))
            {
                results.AddRange(propertyResults.Select(r => new System.ComponentModel.DataAnnotations.ValidationResult(
                    $"{IngestOptions.Section}:{property.Name}: {r.ErrorMessage}", r.MemberNames)));
            }
        }
        results.AddRange(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
        return results.Count == 0;
    }

    private sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
    {
        public ValidateOptionsResult Validate(string? name, IngestOptions options) =>
            ValidateObject(options, out var results)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(results.Select(r => r.ErrorMessage ?? "invalid"));
    }
}

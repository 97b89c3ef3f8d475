using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ingest.Sinks.Redis;

/// <summary>
/// Refuses a Redis endpoint that names no host and port, at start: StackExchange.Redis would otherwise accept it, try
/// to connect for the connect timeout and leave the node running without live state and without saying why.
/// </summary>
public sealed class RedisEndpointValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        if (!options.IsConfigured)
        {
            return ValidateOptionsResult.Success;
        }
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(options.Endpoint!);
        }
        catch (ArgumentException ex)
        {
            return Fail(options, ex.Message);
        }
        if (parsed.EndPoints.Count == 0)
        {
            return Fail(options, "it names no host:port");
        }
        foreach (var endPoint in parsed.EndPoints)
        {
            var (host, port) = endPoint switch
            {
                DnsEndPoint dns => (dns.Host, dns.Port),
                IPEndPoint ip => (ip.Address.ToString(), ip.Port),
                _ => ("", 0),
            };
            if (string.IsNullOrWhiteSpace(host) || host.Contains(':') && !IPAddress.TryParse(host, out _) || port is < 0 or > 65535)
            {
                return Fail(options, $"'{endPoint}' is not a host:port");
            }
        }
        return ValidateOptionsResult.Success;
    }

    private static ValidateOptionsResult Fail(RedisOptions options, string why) =>
        ValidateOptionsResult.Fail($"{RedisOptions.SectionName}:Endpoint '{options.Endpoint}': {why} (expected host:port such as 127.0.0.1:6379).");
}

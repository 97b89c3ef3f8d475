using System.Net;
using System.Net.Sockets;
using Ingest.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

/// <summary>
/// What <c>serve</c> checks after the host is built and before anything starts (no spool opened, no port bound, no
/// consumer running): every option validator, and that every configured port can be bound. Each problem is one line
/// naming its key, so an operator's typo never ends in a stack trace after "Node started".
/// </summary>
public static class StartupPreflight
{
    public static IReadOnlyList<string> Check(IServiceProvider services)
    {
        var problems = new List<string>();
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures);
        }
        catch (AggregateException ex)
        {
            problems.AddRange(ex.Flatten().InnerExceptions.SelectMany(e => e is OptionsValidationException o ? o.Failures : [e.Message]));
        }
        if (problems.Count > 0)
        {
            return Distinct(problems);
        }

        var ingest = services.GetRequiredService<IOptions<IngestOptions>>().Value;
        for (int i = 0; i < ingest.Listeners.Count; i++)
        {
            var listener = ingest.Listeners[i];
            if (CheckBind(listener.Address, listener.Port) is { } problem)
            {
                problems.Add($"{IngestOptions.Section}:Listeners:{i}:Port: {listener.Address}:{listener.Port} {problem}.");
            }
        }
        if (Uri.TryCreate(ingest.HttpUrl, UriKind.Absolute, out var http) && CheckBind(http.Host == "localhost" ? "127.0.0.1" : http.Host, http.Port) is { } httpProblem)
        {
            problems.Add($"{IngestOptions.Section}:HttpUrl: {http.Host}:{http.Port} {httpProblem}.");
        }
        return problems;
    }

    /// <summary>
    /// Binds and releases the port at once. A port taken between this check and Kestrel's bind still fails start-up,
    /// with Kestrel's own message; this catches the common case (another server already on the port) cleanly.
    /// </summary>
    private static string? CheckBind(string address, int port)
    {
        if (port == 0 || !IPAddress.TryParse(address, out var ip))
        {
            return null; // an ephemeral port always binds; a host name is Kestrel's to resolve
        }
        try
        {
            using var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(ip, port));
            return null;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "is already in use by another process",
                SocketError.AddressNotAvailable => "is not an address of this machine",
                SocketError.AccessDenied => "needs privileges this process does not have (ports below 1024)",
                _ => $"cannot be bound ({ex.SocketErrorCode})",
            };
        }
    }

    private static List<string> Distinct(List<string> problems) => problems.Distinct(StringComparer.Ordinal).ToList();
}

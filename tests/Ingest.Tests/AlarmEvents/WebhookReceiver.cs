using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ingest.AlarmEvents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ingest.Tests.AlarmEvents;

/// <summary>
/// A real HTTP receiver on loopback (Kestrel) that records every POST it takes, checking its HMAC-SHA256 signature.
/// It can be stopped and started again on the same port, as a receiver that is down for a while.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly byte[] _secret;
    private WebApplication? _app;

    public WebhookReceiver(string secret)
    {
        _secret = System.Text.Encoding.UTF8.GetBytes(secret);
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/alarms";

    public ConcurrentQueue<Received> Posts { get; } = new();

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        var app = builder.Build();
        app.MapPost("/alarms", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var bytes = body.ToArray();
            var signature = context.Request.Headers[WebhookDelivery.SignatureHeader].ToString();
            var json = JsonDocument.Parse(bytes).RootElement.Clone();
            Posts.Enqueue(new Received(
                context.Request.Headers[WebhookDelivery.IdempotencyHeader].ToString(),
                json,
                signature == WebhookDelivery.Sign(_secret, bytes),
                DateTimeOffset.UtcNow));
            return Results.Ok();
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>One POST: its idempotency key, its JSON body, whether its signature matched, when it arrived.</summary>
    public sealed record Received(string IdempotencyKey, JsonElement Body, bool SignatureValid, DateTimeOffset At)
    {
        public string Id => Body.GetProperty("id").GetString()!;

        public string Phase => Body.GetProperty("phase").GetString()!;

        public string Kind => Body.GetProperty("kind").GetString()!;

        public string Vin => Body.GetProperty("vin").GetString()!;

        public string Detail => Body.GetProperty("detail").GetString()!;
    }
}

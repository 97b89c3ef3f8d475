using System.Globalization;
using Ingest.Http.Security;
using Ingest.Registry;
using Ingest.Sinks.ClickHouse;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingest.Quality;

/// <summary>
/// <c>GET /quality/daily</c> and <c>GET /vehicles/{vin}/quality</c>: the data-quality report, scope
/// <c>history:read</c>, tenant-scoped as the vehicle endpoints are (a key sees its own tenant's vehicles; admin keys
/// see every tenant and the vehicles that report without a filing). Both are audited.
/// </summary>
public static class QualityEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/quality/daily", DailyAsync)
            .RequireAuthorization(ApiScopes.HistoryRead)
            .WithSummary("Data quality of one day (date=yyyy-MM-dd in the report's zone, default yesterday): per tenant and model the online rate, " +
                "missing rate, dynamic-check pass rate and failures per rule, reissue share and late frames, and every vehicle's row. " +
                "tenant= narrows an admin key to one tenant; other keys see their own tenant only (404 for another). " +
                "Scope history:read; 503 without ClickHouse, 502 when the query fails.");
        app.MapGet("/vehicles/{vin}/quality", VehicleAsync)
            .RequireAuthorization(ApiScopes.HistoryRead)
            .WithSummary("Data quality of one vehicle per day from from= to to= (yyyy-MM-dd, inclusive; default the last 7 days up to today; " +
                "at most Quality:MaxRangeDays). Scope history:read; 404 for a vehicle of another tenant.");
    }

    private static async Task<IResult> DailyAsync(HttpContext context, string? date, string? tenant, IVehicleRegistry registry, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var caller = ApiCaller.From(context.User);
        if (context.RequestServices.GetService<QualityReports>() is not { } reports)
        {
            return NoClickHouse();
        }
        DateOnly day = reports.Today.AddDays(-1);
        if (date is not null && !TryParseDay(date, out day))
        {
            return Results.Problem("date must be a day such as 2026-12-05.", statusCode: StatusCodes.Status400BadRequest);
        }
        string? scope = string.IsNullOrEmpty(tenant) ? null : tenant;
        if (!caller.IsAdmin)
        {
            if (scope is not null && !string.Equals(scope, caller.Tenant, StringComparison.Ordinal))
            {
                // As for another tenant's vehicle: not found, so a key cannot learn which tenants exist.
                return Results.NotFound();
            }
            scope = caller.Tenant;
        }
        try
        {
            var (rows, source) = await reports.GetDayAsync(day, cancellationToken).ConfigureAwait(false);
            var (vehicles, groups) = QualityGroup.Build(day, rows, registry, scope);
            QualityLog.DailyRead(VehicleAccess.Audit(context), day, scope ?? "*", vehicles.Count, caller.KeyId, caller.Name);
            return Results.Json(new
            {
                date = day,
                tenant = scope,
                source = source == QualitySource.Stored ? "stored" : "live",
                groups,
                vehicles,
            });
        }
        // A ClickHouse request timeout is a cancellation too, but not the client's: answered 502 like any failed query.
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(loggers, exception);
        }
    }

    private static async Task<IResult> VehicleAsync(string vin, string? from, string? to, HttpContext context, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (!VehicleAccess.TryAuthorize(context, vin, out var caller))
        {
            return Results.NotFound();
        }
        if (context.RequestServices.GetService<QualityReports>() is not { } reports)
        {
            return NoClickHouse();
        }
        var last = reports.Today;
        var first = last.AddDays(-6);
        if ((to is not null && !TryParseDay(to, out last)) || (from is not null && !TryParseDay(from, out first)))
        {
            return Results.Problem("from and to must be days such as 2026-12-05.", statusCode: StatusCodes.Status400BadRequest);
        }
        if (from is null && to is not null)
        {
            first = last.AddDays(-6);
        }
        int days = last.DayNumber - first.DayNumber + 1;
        if (days < 1 || days > reports.Options.MaxRangeDays)
        {
            return Results.Problem($"from must not be after to, and the range at most {reports.Options.MaxRangeDays} days (Quality:MaxRangeDays).",
                statusCode: StatusCodes.Status400BadRequest);
        }
        QualityLog.VehicleRead(VehicleAccess.Audit(context), vin, first, last, caller.KeyId, caller.Name);
        try
        {
            var rows = await reports.GetVehicleAsync(vin, first, last, cancellationToken).ConfigureAwait(false);
            return Results.Json(new
            {
                vin,
                from = first,
                to = last,
                days = rows.Select(r => new { source = r.Source == QualitySource.Stored ? "stored" : "live", quality = r.Row }),
            });
        }
        // A ClickHouse request timeout is a cancellation too, but not the client's: answered 502 like any failed query.
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(loggers, exception);
        }
    }

    internal static bool TryParseDay(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private static IResult NoClickHouse() =>
        Results.Problem("ClickHouse is not configured on this node.", statusCode: StatusCodes.Status503ServiceUnavailable);

    private static IResult Failed(ILoggerFactory loggers, Exception exception)
    {
        var reason = ClickHouseDatabase.Describe(exception);
        QualityLog.QueryFailed(loggers.CreateLogger(typeof(QualityEndpoints).FullName!), reason);
        return Results.Problem("The ClickHouse query failed: " + reason, statusCode: StatusCodes.Status502BadGateway);
    }
}

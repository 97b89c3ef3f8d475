using Ingest.Http.Security;
using Ingest.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingest.Http;

/// <summary>
/// The vehicle registry over HTTP: list, get, add or replace, remove, bulk import. Every endpoint needs
/// <c>registry:write</c> (filings carry ICCIDs and public keys, so reading them is as sensitive as changing them). A
/// non-admin key works on its own tenant's vehicles only: it files for its tenant (a body naming another tenant is a
/// 400), and another tenant's VIN answers 404 as an unknown one does.
/// </summary>
public static class RegistryEndpoints
{
    public const int MaxPage = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var registry = app.MapGroup("/registry/vehicles").RequireAuthorization(ApiScopes.RegistryWrite);

        registry.MapGet("", (HttpContext context, IVehicleRegistry vehicles, string? after, int? limit, string? tenant) =>
        {
            var caller = ApiCaller.From(context.User);
            int size = Math.Clamp(limit ?? 100, 1, MaxPage);
            var page = vehicles.List(caller.IsAdmin ? tenant : caller.Tenant)
                .SkipWhile(f => after is not null && string.CompareOrdinal(f.Vin, after) <= 0)
                .Take(size + 1)
                .ToList();
            var next = page.Count > size ? page[size - 1].Vin : null;
            AuditLog.RegistryRead(VehicleAccess.Audit(context), after is null ? "list" : "list after " + after, Math.Min(page.Count, size),
                caller.KeyId, caller.Name);
            return Results.Json(new { vehicles = page.Take(size).Select(FilingJson.From), next });
        }).WithSummary("Filed vehicles in VIN order, a page at a time: limit (default 100, at most 1000) and after=<the previous page's next>. " +
            "Admin keys see every tenant (tenant=<t> filters); other keys their own. Scope registry:write.");

        registry.MapGet("/{vin}", (string vin, HttpContext context, IVehicleRegistry vehicles) =>
        {
            if (!VehicleAccess.TryAuthorize(context, vin, out var caller) || !vehicles.TryGet(vin, out var filing))
            {
                return Results.NotFound();
            }
            AuditLog.RegistryRead(VehicleAccess.Audit(context), vin, 1, caller.KeyId, caller.Name);
            return Results.Json(FilingJson.From(filing));
        }).WithSummary("One filing; 404 when not filed or filed by another tenant. Scope registry:write.");

        registry.MapPut("/{vin}", async (string vin, FilingJson body, HttpContext context, IVehicleRegistry vehicles, CancellationToken ct) =>
        {
            var caller = ApiCaller.From(context.User);
            bool exists = vehicles.TryGet(vin, out _);
            if (exists && !VehicleAccess.TryAuthorize(context, vin, out _))
            {
                return Results.NotFound();
            }
            var problems = new Dictionary<string, string[]>();
            var filing = body.ToFiling(vin, TenantFor(caller, body, "", problems), "", problems);
            if (filing is null || problems.Count > 0)
            {
                return Results.ValidationProblem(problems, "The filing is not valid; nothing was changed.");
            }
            await vehicles.UpsertAsync([filing], ct);
            AuditLog.RegistryChanged(VehicleAccess.Audit(context), exists ? "update" : "add", 1, vin, filing.Tenant, caller.KeyId, caller.Name);
            return exists ? Results.Json(FilingJson.From(filing)) : Results.Json(FilingJson.From(filing), statusCode: StatusCodes.Status201Created);
        }).WithSummary("Files a vehicle or replaces its filing (201 when new, 200 when replaced); 400 with the problems per field. " +
            "A non-admin key files for its own tenant. Scope registry:write.");

        registry.MapDelete("/{vin}", async (string vin, HttpContext context, IVehicleRegistry vehicles, CancellationToken ct) =>
        {
            if (!VehicleAccess.TryAuthorize(context, vin, out var caller) || !vehicles.TryGet(vin, out var filing))
            {
                return Results.NotFound();
            }
            await vehicles.RemoveAsync([vin], ct);
            AuditLog.RegistryChanged(VehicleAccess.Audit(context), "remove", 1, vin, filing.Tenant, caller.KeyId, caller.Name);
            return Results.NoContent();
        }).WithSummary("Removes a filing: the vehicle may no longer log in under registered admission. 204, or 404. Scope registry:write.");

        // Beside the group, not in it: a group would join the prefix and ":import" with a '/'.
        app.MapPost("/registry/vehicles:import", async (List<FilingJson> body, HttpContext context, IVehicleRegistry vehicles, CancellationToken ct) =>
        {
            var caller = ApiCaller.From(context.User);
            var problems = new Dictionary<string, string[]>();
            var filings = new List<VehicleFiling>(body.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < body.Count; i++)
            {
                var field = $"[{i}].";
                var vin = body[i].Vin ?? "";
                if (!seen.Add(vin))
                {
                    problems[field + "vin"] = [$"'{vin}' appears twice in the import."];
                    continue;
                }
                if (vehicles.TryGet(vin, out _) && !VehicleAccess.TryAuthorize(context, vin, out _))
                {
                    return Results.Problem($"Vehicle {vin} ([{i}]) was not found among the key's vehicles; nothing was imported.",
                        statusCode: StatusCodes.Status404NotFound);
                }
                if (body[i].ToFiling(vin, TenantFor(caller, body[i], field, problems), field, problems) is { } filing)
                {
                    filings.Add(filing);
                }
            }
            if (problems.Count > 0)
            {
                return Results.ValidationProblem(problems, $"{problems.Count} problems in {body.Count} filings; nothing was imported.");
            }
            await vehicles.UpsertAsync(filings, ct);
            AuditLog.RegistryChanged(VehicleAccess.Audit(context), "import", filings.Count, Sample(filings),
                caller.IsAdmin ? string.Join(',', filings.Select(f => f.Tenant).Distinct()) : caller.Tenant, caller.KeyId, caller.Name);
            return Results.Json(new { imported = filings.Count });
        }).WithSummary("Files many vehicles at once from a JSON array of filings, all or nothing (400 lists each problem by index). " +
            "The same as CSV: POST /registry/vehicles:import-csv. Scope registry:write.")
            .RequireAuthorization(ApiScopes.RegistryWrite);

        app.MapPost("/registry/vehicles:import-csv", async (HttpContext context, IVehicleRegistry vehicles, CancellationToken ct) =>
        {
            var caller = ApiCaller.From(context.User);
            // Read whole (bounded) before parsing: the CSV reader is synchronous and Kestrel allows only async body reads.
            var text = await ReadBoundedAsync(context.Request.Body, MaxCsvImportBytes, ct);
            if (text is null)
            {
                return Results.Problem($"The CSV body is larger than {MaxCsvImportBytes / (1024 * 1024)} MiB; split it.",
                    statusCode: StatusCodes.Status413PayloadTooLarge);
            }
            var parsed = RegistryCsv.Read(new StringReader(text), "body");
            var problems = parsed.Errors.GroupBy(e => e.Column > 0 ? $"line {e.Line} column {e.Column} ({e.ColumnName})" : $"line {e.Line}")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
            foreach (var filing in parsed.Filings)
            {
                if (vehicles.TryGet(filing.Vin, out _) && !VehicleAccess.TryAuthorize(context, filing.Vin, out _))
                {
                    return Results.Problem($"Vehicle {filing.Vin} was not found among the key's vehicles; nothing was imported.",
                        statusCode: StatusCodes.Status404NotFound);
                }
                if (!caller.IsAdmin && !string.Equals(filing.Tenant, caller.Tenant, StringComparison.Ordinal))
                {
                    problems[$"vin {filing.Vin}"] = [$"tenant '{filing.Tenant}' is not the key's tenant '{caller.Tenant}'."];
                }
            }
            if (problems.Count > 0)
            {
                return Results.ValidationProblem(problems, $"{problems.Count} problems in the CSV; nothing was imported.");
            }
            await vehicles.UpsertAsync(parsed.Filings.ToList(), ct);
            AuditLog.RegistryChanged(VehicleAccess.Audit(context), "import", parsed.Filings.Count, Sample(parsed.Filings.ToList()),
                caller.IsAdmin ? string.Join(',', parsed.Filings.Select(f => f.Tenant).Distinct()) : caller.Tenant, caller.KeyId, caller.Name);
            return Results.Json(new { imported = parsed.Filings.Count });
        }).WithSummary("Files many vehicles at once from a CSV body (header vin,tenant,iccid,chip_id,sm2_public_key,model,platforms; " +
            "the format of Registry:ImportCsv), all or nothing: 400 lists each problem by line and column. A non-admin key files only " +
            "its own tenant's vehicles. At most 64 MiB. Scope registry:write.")
            .Accepts<string>("text/csv")
            .RequireAuthorization(ApiScopes.RegistryWrite);
    }

    /// <summary>A registry export of a million vehicles is about 250 MB; 64 MiB takes a quarter of a million per request.</summary>
    private const int MaxCsvImportBytes = 64 * 1024 * 1024;

    private static async Task<string?> ReadBoundedAsync(Stream body, int maxBytes, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// A non-admin key files for its own tenant: the body may leave the tenant out or name that one, anything else
    /// is a problem. An admin key must name the tenant.
    /// </summary>
    private static string TenantFor(ApiCaller caller, FilingJson body, string field, Dictionary<string, string[]> problems)
    {
        if (caller.IsAdmin)
        {
            return body.Tenant ?? "";
        }
        if (body.Tenant is { } named && !string.Equals(named, caller.Tenant, StringComparison.Ordinal))
        {
            problems[field + "tenant"] = [$"this key files vehicles for tenant '{caller.Tenant}' only."];
        }
        return caller.Tenant;
    }

    private static string Sample(IReadOnlyList<VehicleFiling> filings) =>
        filings.Count <= 10 ? string.Join(',', filings.Select(f => f.Vin)) : string.Join(',', filings.Take(10).Select(f => f.Vin)) + ",...";
}

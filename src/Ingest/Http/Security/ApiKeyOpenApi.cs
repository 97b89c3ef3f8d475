using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ingest.Http.Security;

/// <summary>
/// Documents the API-key security in <c>/openapi/v1.json</c>: a bearer scheme and the <c>X-Api-Key</c> header, either
/// accepted, required by the whole document; operations open to everyone (<c>/healthz</c>, <c>/readyz</c>) say so with
/// an empty requirement list.
/// </summary>
public static class ApiKeyOpenApi
{
    public const string BearerScheme = "bearer";
    public const string HeaderScheme = "x-api-key";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.AddComponent<IOpenApiSecurityScheme>(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "ik_<id>_<secret>",
                Description = "An API key from 'Ingest keys create' or POST /admin/keys: Authorization: Bearer <key>. " +
                    "Scopes: state:read, history:read, registry:write, admin (implies all). A key sees only its tenant's vehicles.",
            });
            document.AddComponent<IOpenApiSecurityScheme>(HeaderScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.ApiKeyHeader,
                Description = "The same API key in the X-Api-Key header.",
            });
            document.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HeaderScheme, document)] = [] },
            ];
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security = [];
            }
            return Task.CompletedTask;
        });
    }
}

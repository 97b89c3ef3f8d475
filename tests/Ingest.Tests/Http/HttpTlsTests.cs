using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ingest.Tests.Support;

namespace Ingest.Tests.Http;

/// <summary>The HTTP endpoint over TLS with Kestrel's own certificate handling, from a PFX file or PEM files.</summary>
public class HttpTlsTests
{
    [Theory]
    [InlineData("pfx")]
    [InlineData("pem")]
    [InlineData("encrypted-pem")]
    public async Task An_https_url_serves_the_configured_certificate(string format)
    {
        var folder = Directory.CreateTempSubdirectory("ingest-tls-").FullName;
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=ingest-test", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            var settings = new Dictionary<string, string?> { ["Ingest:HttpUrl"] = "https://127.0.0.1:0" };
            const string password = "test-password";
            switch (format)
            {
                case "pfx":
                    await File.WriteAllBytesAsync(Path.Combine(folder, "http.pfx"), certificate.Export(X509ContentType.Pfx, password));
                    settings["Http:Certificate:Path"] = Path.Combine(folder, "http.pfx");
                    settings["Http:Certificate:Password"] = password;
                    break;
                case "pem":
                    await File.WriteAllTextAsync(Path.Combine(folder, "http.crt"), certificate.ExportCertificatePem());
                    await File.WriteAllTextAsync(Path.Combine(folder, "http.key"), key.ExportPkcs8PrivateKeyPem());
                    settings["Http:Certificate:Path"] = Path.Combine(folder, "http.crt");
                    settings["Http:Certificate:KeyPath"] = Path.Combine(folder, "http.key");
                    break;
                default:
                    await File.WriteAllTextAsync(Path.Combine(folder, "http.crt"), certificate.ExportCertificatePem());
                    await File.WriteAllTextAsync(Path.Combine(folder, "http.key"), key.ExportEncryptedPkcs8PrivateKeyPem(password,
                        new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000)));
                    settings["Http:Certificate:Path"] = Path.Combine(folder, "http.crt");
                    settings["Http:Certificate:KeyPath"] = Path.Combine(folder, "http.key");
                    settings["Http:Certificate:Password"] = password;
                    break;
            }
            await using var server = await TestServer.StartAsync(settings);
            Assert.Equal("https", server.HttpBase.Scheme);

            X509Certificate2? presented = null;
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, serverCertificate, _, _) =>
                {
                    presented = serverCertificate is null ? null : new X509Certificate2(serverCertificate);
                    return true; // self-signed: the test checks the certificate itself below
                },
            };
            using var http = await server.CreateHttpClientAsync(handler: handler);
            Assert.Equal("ok", await http.GetStringAsync("/healthz"));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/vehicles/online")).StatusCode);
            Assert.NotNull(presented);
            Assert.Equal(certificate.Thumbprint, presented.Thumbprint);
            presented.Dispose();

            // Plain HTTP to the TLS port is not served.
            using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpBase.Port}") };
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync("/healthz"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_https_url_without_a_certificate_is_refused_at_start()
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => TestServer.StartAsync(new() { ["Ingest:HttpUrl"] = "https://127.0.0.1:0" }));
        Assert.Contains("Http:Certificate:Path", failure.Message, StringComparison.Ordinal);
    }
}

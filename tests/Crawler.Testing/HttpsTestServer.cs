using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crawler.Testing;

/// <summary>
/// Kestrel over HTTPS on 127.0.0.1 with a certificate the test makes itself (<see cref="CertificateRequest"/>), never
/// trusted by the machine: a client trusts it through configuration (<see cref="CertificatePath"/>) or not at all.
/// </summary>
public sealed class HttpsTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;
    private int _connections;
    private readonly HashSet<string> _connectionIds = [];

    private HttpsTestServer(WebApplication app, string directory, string certificatePath)
    {
        _app = app;
        _directory = directory;
        CertificatePath = certificatePath;
    }

    /// <summary>The server certificate (public part, PEM) for a client to trust.</summary>
    public string CertificatePath { get; }

    /// <summary>The HTTPS root, e.g. <c>https://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Distinct TLS connections that carried a request.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>Starts Kestrel with a certificate for <paramref name="names"/> (DNS names and IP addresses);
    /// <paramref name="handler"/> answers every request.</summary>
    public static async Task<HttpsTestServer> StartAsync(Func<HttpContext, IResult> handler, params string[] names)
    {
        var directory = Directory.CreateTempSubdirectory("crawler-tls-").FullName;
        var certificate = CreateCertificate(names.Length > 0 ? names : ["localhost", "127.0.0.1"]);
        var path = Path.Combine(directory, "server.pem");
        await File.WriteAllTextAsync(path, certificate.ExportCertificatePem());

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new HttpsTestServer(app, directory, path);
        app.Use(async (context, next) =>
        {
            lock (server._connectionIds)
            {
                if (server._connectionIds.Add(context.Connection.Id))
                {
                    server._connections++;
                }
            }

            await next(context);
        });
        app.MapGet("/{**path}", handler);
        await app.StartAsync();
        server.BaseUri = new Uri(app.Urls.First() + "/");
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static X509Certificate2 CreateCertificate(IReadOnlyList<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // A round trip through PKCS#12 gives a certificate whose key the TLS stack on Linux can use.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}

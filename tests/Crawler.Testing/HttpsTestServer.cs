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

    /// <summary>A PEM bundle (several certificates in one file) whose last certificate is the one
    /// <see cref="CertificatePath"/> holds, after unrelated ones.</summary>
    public string BundlePath => Path.Combine(_directory, "bundle.pem");

    /// <summary>Starts Kestrel with a certificate for <paramref name="names"/> (DNS names and IP addresses);
    /// <paramref name="handler"/> answers every request.</summary>
    public static Task<HttpsTestServer> StartAsync(Func<HttpContext, IResult> handler, params string[] names) =>
        StartAsync(handler, chain: false, names);

    /// <summary>Starts Kestrel with a three-level chain made for the test: a root CA, an intermediate CA it signed,
    /// and a server certificate for 127.0.0.1 the intermediate signed. The server sends its certificate and the
    /// intermediate; <see cref="CertificatePath"/> holds only the root.</summary>
    public static Task<HttpsTestServer> StartWithChainAsync(Func<HttpContext, IResult> handler) =>
        StartAsync(handler, chain: true, ["127.0.0.1"]);

    private static async Task<HttpsTestServer> StartAsync(Func<HttpContext, IResult> handler, bool chain, string[] names)
    {
        var directory = Directory.CreateTempSubdirectory("crawler-tls-").FullName;
        names = names.Length > 0 ? names : ["localhost", "127.0.0.1"];
        X509Certificate2 certificate;
        X509Certificate2 trusted;
        X509Certificate2Collection sent = [];
        if (chain)
        {
            using var root = CreateAuthority("CN=Crawler Test Root CA", issuer: null);
            using var intermediate = CreateAuthority("CN=Crawler Test Intermediate CA", root);
            certificate = CreateCertificate(names, intermediate);
            trusted = X509CertificateLoader.LoadCertificate(root.RawData);
            sent.Add(X509CertificateLoader.LoadCertificate(intermediate.RawData));
        }
        else
        {
            certificate = CreateCertificate(names, issuer: null);
            trusted = certificate;
        }

        var path = Path.Combine(directory, "server.pem");
        await File.WriteAllTextAsync(path, trusted.ExportCertificatePem());
        using (var unrelated = CreateAuthority("CN=Unrelated CA", issuer: null))
        using (var another = CreateAuthority("CN=Another unrelated CA", issuer: null))
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "bundle.pem"),
                unrelated.ExportCertificatePem() + "\n" + another.ExportCertificatePem() + "\n" + trusted.ExportCertificatePem() + "\n");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
        {
            ServerCertificate = certificate,
            ServerCertificateChain = sent,
        })));
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

    private static X509Certificate2 CreateAuthority(string subject, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-10);
        var notAfter = DateTimeOffset.UtcNow.AddDays(2);
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        using var signed = request.Create(issuer, notBefore, notAfter, Serial());
        return signed.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 CreateCertificate(IReadOnlyList<string> names, X509Certificate2? issuer)
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
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);
        using var created = issuer is null
            ? request.CreateSelfSigned(notBefore, notAfter)
            : request.Create(issuer, notBefore, notAfter, Serial()).CopyWithPrivateKey(key);
        // A round trip through PKCS#12 gives a certificate whose key the TLS stack on Linux can use.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private static byte[] Serial() => RandomNumberGenerator.GetBytes(12);
}

using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;

namespace Crawler.Http.Configuration;

/// <summary>TLS settings (<c>crawler.http.tls</c>): certificate validation is on unless <paramref name="Insecure"/>;
/// <paramref name="TrustedCertificates"/> are extra roots (or self-signed server certificates) trusted by this crawler
/// only, never added to the machine's store.</summary>
/// <param name="Insecure">Accept any certificate (<c>insecure</c>, <c>--insecure</c>).</param>
/// <param name="TrustedCertificates">Extra trusted certificates, read from <c>trusted-certificates</c> (PEM or DER files).</param>
public sealed record TlsSettings(bool Insecure, IReadOnlyList<X509Certificate2> TrustedCertificates)
{
    /// <summary>Reads a <c>crawler.http.tls</c> section.</summary>
    /// <exception cref="ConfigurationException">A certificate file cannot be read.</exception>
    public static TlsSettings Create(Config? tls)
    {
        if (tls is null || tls.IsEmpty)
        {
            return new TlsSettings(false, []);
        }

        var certificates = new List<X509Certificate2>();
        foreach (var path in tls.GetStringList("trusted-certificates") ?? [])
        {
            try
            {
                var bytes = File.ReadAllBytes(path);
                certificates.Add(bytes.AsSpan().StartsWith("-----BEGIN"u8)
                    ? X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(bytes))
                    : X509CertificateLoader.LoadCertificate(bytes));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw new ConfigurationException($"crawler.http.tls.trusted-certificates: cannot read '{path}': {e.Message}");
            }
        }

        return new TlsSettings(tls.GetBoolean("insecure"), certificates);
    }
}

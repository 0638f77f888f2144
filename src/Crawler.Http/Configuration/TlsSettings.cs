using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;

namespace Crawler.Http.Configuration;

/// <summary>TLS settings (<c>crawler.http.tls</c>): certificate validation is on unless <paramref name="Insecure"/>;
/// <paramref name="TrustedCertificates"/> are extra roots (or self-signed server certificates) trusted by this crawler
/// only, never added to the machine's store. The certificates are kept as their DER bytes, so the settings are plain
/// data that a message can carry.</summary>
/// <param name="Insecure">Accept any certificate (<c>insecure</c>, <c>--insecure</c>).</param>
/// <param name="TrustedCertificates">Extra trusted certificates (DER), read from <c>trusted-certificates</c>: PEM files
/// (every certificate of a bundle) or DER files.</param>
public sealed record TlsSettings(bool Insecure, IReadOnlyList<byte[]> TrustedCertificates)
{
    /// <summary>Reads a <c>crawler.http.tls</c> section.</summary>
    /// <exception cref="ConfigurationException">A certificate file cannot be read.</exception>
    public static TlsSettings Create(Config? tls)
    {
        if (tls is null || tls.IsEmpty)
        {
            return new TlsSettings(false, []);
        }

        var certificates = new List<byte[]>();
        foreach (var path in tls.GetStringList("trusted-certificates") ?? [])
        {
            try
            {
                var bytes = File.ReadAllBytes(path);
                if (bytes.AsSpan().StartsWith("-----BEGIN"u8))
                {
                    var bundle = new X509Certificate2Collection();
                    bundle.ImportFromPem(System.Text.Encoding.ASCII.GetString(bytes));
                    if (bundle.Count == 0)
                    {
                        throw new ArgumentException("it holds no certificate");
                    }

                    certificates.AddRange(bundle.Select(c => c.RawData));
                }
                else
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(bytes).RawData);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw new ConfigurationException($"crawler.http.tls.trusted-certificates: cannot read '{path}': {e.Message}");
            }
        }

        return new TlsSettings(tls.HasPath("insecure") && SettingsReader.Switch(tls, "crawler.http.tls", "insecure"), certificates);
    }

    /// <summary>The trusted certificates, as certificates.</summary>
    public X509Certificate2Collection Certificates() => [.. TrustedCertificates.Select(X509CertificateLoader.LoadCertificate)];
}

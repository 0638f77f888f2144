using System.Buffers;
using System.Text;

namespace Crawler.Http.Writing;

/// <summary>
/// Writes an HTTP/1.1 request head (RFC 9112 §3) into a buffer: pure, no I/O, no Akka. The request target is the
/// URL's escaped path and query in origin-form; the <c>Host</c> header is its punycode host, with the port unless it
/// is the scheme's default. Values that would break the head (CR, LF or other control characters) are rejected with
/// <see cref="ArgumentException"/> before anything is written.
/// </summary>
public static class HttpRequestWriter
{
    /// <summary>Writes <paramref name="spec"/> and returns the number of bytes written.</summary>
    public static int Write(IBufferWriter<byte> output, in HttpRequestSpec spec)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!spec.Target.IsAbsoluteUri)
        {
            throw new ArgumentException("the request target must be an absolute URL", nameof(spec));
        }

        var target = spec.Target.PathAndQuery;
        // An IPv6 zone (fe80::1%25eth0) is local to this machine: it never goes into Host, as curl leaves it out.
        var host = spec.Target.HostNameType == UriHostNameType.IPv6
            ? $"[{spec.Target.IdnHost.Split("%25")[0]}]"
            : spec.Target.IdnHost;
        if (!spec.Target.IsDefaultPort)
        {
            host = $"{host}:{spec.Target.Port}";
        }

        if (spec.AbsoluteForm)
        {
            target = $"{spec.Target.Scheme}://{host}{(target.Length == 0 ? "/" : target)}";
        }

        Check(target, nameof(spec.Target));
        Check(spec.ProxyAuthorization, nameof(spec.ProxyAuthorization));
        Check(spec.UserAgent, nameof(spec.UserAgent));
        Check(spec.Accept, nameof(spec.Accept));
        Check(spec.AcceptEncoding, nameof(spec.AcceptEncoding));

        var written = 0;
        written += Ascii(output, spec.Method.Method);
        written += Ascii(output, " ");
        written += Ascii(output, target.Length == 0 ? "/" : target);
        written += Ascii(output, " HTTP/1.1\r\nHost: ");
        written += Ascii(output, host);
        written += Ascii(output, "\r\n");
        written += Header(output, "Proxy-Authorization", spec.ProxyAuthorization);
        written += Header(output, "User-Agent", spec.UserAgent);
        written += Header(output, "Accept", spec.Accept);
        written += Header(output, "Accept-Encoding", spec.AcceptEncoding);
        written += Ascii(output, spec.KeepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
        return written;
    }

    /// <summary>The request head as a new array (tests and logging).</summary>
    public static byte[] ToArray(in HttpRequestSpec spec)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, spec);
        return buffer.WrittenSpan.ToArray();
    }

    private static int Header(IBufferWriter<byte> output, string name, string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return 0;
        }

        return Ascii(output, name) + Ascii(output, ": ") + Ascii(output, value) + Ascii(output, "\r\n");
    }

    private static int Ascii(IBufferWriter<byte> output, string text)
    {
        // Latin-1 keeps obs-text bytes of a configured value as they are; the URL parts are already ASCII.
        var span = output.GetSpan(text.Length);
        var count = Encoding.Latin1.GetBytes(text, span);
        output.Advance(count);
        return count;
    }

    /// <summary>True when <paramref name="value"/> can be a field value of a request head: no control character but
    /// tab (so no CR, LF or NUL: no header injection) and nothing beyond Latin-1.</summary>
    internal static bool IsFieldValue(string value) =>
        value.All(c => (c >= 0x20 || c == '\t') && c != 0x7F && c <= 0xFF);

    private static void Check(string value, string what)
    {
        if (!IsFieldValue(value))
        {
            throw new ArgumentException($"{what} holds a character that cannot go into a request head", what);
        }
    }
}

using System.IO.Compression;
using System.Text;
using Crawler.Http.Decoding;
using Crawler.Http.Tests.Decoding;

namespace Crawler.Http.Tests.Decoding;

public sealed class ContentDecodingSpecs
{
    private static readonly byte[] Page = Encoding.UTF8.GetBytes("<html><head><title>Compressed</title></head><body>" + new string('z', 5000) + "</body></html>");

    public static byte[] Compress(string coding, byte[] data)
    {
        using var output = new MemoryStream();
        using (Stream stream = coding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest),
            "raw-deflate" => new DeflateStream(output, CompressionLevel.Fastest),
            "br" => new BrotliStream(output, CompressionLevel.Fastest),
            _ => throw new ArgumentOutOfRangeException(nameof(coding)),
        })
        {
            stream.Write(data);
        }

        return output.ToArray();
    }

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("x-gzip", "gzip")]
    [InlineData("deflate", "deflate")]
    [InlineData("deflate", "raw-deflate")]
    [InlineData("br", "br")]
    [InlineData("BR", "br")]
    public void Decoding_should_remove_each_coding(string header, string coding)
    {
        var result = ContentDecoding.Decode(Compress(coding, Page), header, 1 << 20);
        Assert.Null(result.Failure);
        Assert.Equal(Page, result.Body.ToArray());
    }

    [Theory]
    [InlineData(null, "gzip", "gzip")]
    [InlineData(null, "deflate", "deflate")]
    [InlineData(null, "deflate", "raw-deflate")]
    [InlineData(null, "br", "br")]
    [InlineData("gzip, chunked", null, "gzip")]
    [InlineData("deflate, chunked", "identity", "raw-deflate")]
    public void A_streamed_body_should_decode_as_it_is_read(string? transfer, string? content, string coding)
    {
        var coded = Compress(coding, Page);
        using var decoded = ContentDecoding.OpenStream(new TrickleStream(coded), transfer, content, out var failure);
        Assert.Null(failure);
        using var output = new MemoryStream();
        decoded!.CopyTo(output);
        Assert.Equal(Page, output.ToArray());
    }

    [Fact]
    public void A_streamed_body_should_undo_content_then_transfer_codings_and_refuse_an_unknown_transfer_coding()
    {
        var coded = Compress("gzip", Compress("br", Page)); // br as the content coding, gzip as the transfer coding
        using (var decoded = ContentDecoding.OpenStream(new MemoryStream(coded), "gzip, chunked", "br", out _))
        {
            using var output = new MemoryStream();
            decoded!.CopyTo(output);
            Assert.Equal(Page, output.ToArray());
        }

        Assert.Null(ContentDecoding.OpenStream(new MemoryStream(coded), "compress, chunked", null, out var failure));
        Assert.Equal(HttpFailureKind.Protocol, failure!.Kind);
        using var unknown = ContentDecoding.OpenStream(new MemoryStream(coded), null, "zstd", out _);
        using var raw = new MemoryStream();
        unknown!.CopyTo(raw);
        Assert.Equal(coded, raw.ToArray()); // an unknown content coding passes the bytes as they came, as Decode does
    }

    /// <summary>Gives at most 3 bytes a read, as a network would in the worst case.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 3));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 3)]);
    }

    [Fact]
    public void Decoding_should_undo_several_codings_in_reverse_order() =>
        Assert.Equal(Page, ContentDecoding.Decode(Compress("br", Compress("gzip", Page)), "gzip, identity, br", 1 << 20).Body.ToArray());

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("compress")]
    public void Decoding_should_pass_identity_and_unknown_codings_through(string? header) =>
        Assert.Equal(Page, ContentDecoding.Decode(Page, header, 1 << 20).Body.ToArray());

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    public void Decoding_should_report_a_corrupt_body_as_protocol(string coding)
    {
        var corrupt = Compress(coding == "deflate" ? "deflate" : coding, Page);
        corrupt[corrupt.Length / 2] ^= 0xFF;
        corrupt[(corrupt.Length / 2) + 1] ^= 0xFF;
        var result = ContentDecoding.Decode(corrupt.AsMemory(0, corrupt.Length - 3), coding, 1 << 20);
        Assert.Equal(HttpFailureKind.Protocol, result.Failure?.Kind);
    }

    [Fact]
    public void Decoding_should_stop_a_decompression_bomb_at_the_body_limit()
    {
        var bomb = Compress("gzip", new byte[50 * 1024 * 1024]);
        Assert.True(bomb.Length < 100 * 1024);
        var result = ContentDecoding.Decode(bomb, "gzip", 8 * 1024 * 1024);
        Assert.Equal(HttpFailureKind.TooLarge, result.Failure?.Kind);
    }
}

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

using System.Text;
using Crawler.Core.Extraction;

namespace Crawler.Core.Tests.Extraction;

/// <summary>How a page's bytes become text: BOM, then the Content-Type charset, then &lt;meta&gt;, else UTF-8.</summary>
public sealed class CharsetSpecs
{
    private readonly PageExtractor _extractor = new("h3 > a[href]", "head > title");

    static CharsetSpecs() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private string Title(byte[] bytes, string? contentType)
    {
        Assert.True(_extractor.FindTitle(_extractor.Parse(bytes, contentType), out var title, out var problem), problem);
        return title;
    }

    private static byte[] Page(string title, Encoding encoding, string meta = "") =>
        encoding.GetBytes($"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body><p>x</p></body></html>");

    [Fact]
    public void A_content_type_charset_should_decide_for_iso_8859_1() =>
        Assert.Equal("Caf\u00e9 cr\u00e8me", Title(Page("Caf\u00e9 cr\u00e8me", Encoding.Latin1), "text/html; charset=ISO-8859-1"));

    [Fact]
    public void Windows_1252_should_keep_its_own_characters_even_when_labelled_latin_1() =>
        Assert.Equal("\u201cQuoted\u201d \u2013 \u20ac5", Title(Page("\u201cQuoted\u201d \u2013 \u20ac5", Encoding.GetEncoding(1252)), "text/html; charset=\"latin1\""));

    [Fact]
    public void Shift_jis_should_be_read_from_the_header() =>
        Assert.Equal("\u65e5\u672c\u8a9e\u306e\u30bf\u30a4\u30c8\u30eb", Title(Page("\u65e5\u672c\u8a9e\u306e\u30bf\u30a4\u30c8\u30eb", Encoding.GetEncoding("shift_jis")), "text/html; charset=Shift_JIS"));

    [Fact]
    public void Shift_jis_should_be_read_from_a_meta_charset_when_the_header_names_none() =>
        Assert.Equal("\u65e5\u672c\u8a9e", Title(Page("\u65e5\u672c\u8a9e", Encoding.GetEncoding("shift_jis"), "<meta charset=\"shift_jis\">"), "text/html"));

    [Fact]
    public void Windows_1252_should_be_read_from_an_http_equiv_meta() =>
        Assert.Equal("na\u00efve \u2013 ok", Title(Page("na\u00efve \u2013 ok", Encoding.GetEncoding(1252),
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"), null));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Utf16_should_be_read_from_its_byte_order_mark_even_against_the_header(bool littleEndian)
    {
        var encoding = new UnicodeEncoding(bigEndian: !littleEndian, byteOrderMark: true);
        byte[] bytes = [.. encoding.GetPreamble(), .. Page("\u00dcber UTF-16 \u263a", encoding)];
        Assert.Equal("\u00dcber UTF-16 \u263a", Title(bytes, "text/html; charset=iso-8859-1"));
    }

    [Fact]
    public void An_unknown_charset_label_should_fall_back_to_the_meta_or_utf8() =>
        Assert.Equal("\u00e9t\u00e9", Title(Page("\u00e9t\u00e9", Encoding.UTF8), "text/html; charset=no-such-charset"));

    [Fact]
    public void A_utf8_page_without_any_declaration_should_be_read_as_utf8() =>
        Assert.Equal("\u00c5ngstr\u00f6m \U0001F600", Title(Page("\u00c5ngstr\u00f6m \U0001F600", Encoding.UTF8), null));

    [Fact]
    public void Entities_should_be_decoded_whatever_the_encoding() =>
        Assert.Equal("\u00e9 & \u00e9", Title(Page("&eacute; &amp; \u00e9", Encoding.Latin1), "text/html; charset=iso-8859-1"));
}

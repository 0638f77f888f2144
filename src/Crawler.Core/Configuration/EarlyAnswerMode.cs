namespace Crawler.Core.Configuration;

/// <summary>What the crawler does when the first bytes of a page decide its answer (<c>crawler.early-answers</c>).</summary>
public enum EarlyAnswerMode
{
    /// <summary>Wait for the last byte of every page.</summary>
    Off,

    /// <summary>Act on the answer at once; the rest of the page is read and dropped, and its connection serves the next
    /// request.</summary>
    Drain,

    /// <summary>Act on the answer at once and close the page's connection.</summary>
    Close,
}

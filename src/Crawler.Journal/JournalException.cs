namespace Crawler.Journal;

/// <summary>A journal that cannot be used (not a database, read-only, missing): bad input, said in one line.</summary>
public sealed class JournalException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public JournalException()
        : base("the journal cannot be used")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, which names the file.</summary>
    public JournalException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public JournalException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

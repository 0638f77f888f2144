using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Crawler;

/// <summary>The <c>crawler</c> executable.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // First of all: a descriptor the shell closed must not be reused by a socket.
        var closed = StandardStreams.ReopenClosed();
        if (closed.Stdout)
        {
            Console.SetOut(TextWriter.Null);
        }

        if (closed.Stderr)
        {
            Console.SetError(TextWriter.Null); // the log too: never into a descriptor that is not stderr
        }

        if (OperatingSystem.IsWindows() || closed.Stdout)
        {
            return await CrawlerApp.RunAsync(args, Console.Out, Console.Error, Console.OpenStandardOutput, stdoutClosed: closed.Stdout).ConfigureAwait(false);
        }

        // Results go to descriptor 1 through a stream of our own: .NET's console stream drops writes to a closed pipe
        // silently (EPIPE), so `crawler -f big | head -1` would crawl everything for nobody; this one says so.
        var stdout = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 1);
        var results = new StreamWriter(stdout, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024);
        try
        {
            return await CrawlerApp.RunAsync(args, results, Console.Error, () => stdout).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await results.DisposeAsync().ConfigureAwait(false); // flushed by the host already; a closed pipe is no crash
            }
            catch (IOException)
            {
            }
        }
    }
}

using Akka.Actor;
using Crawler.Core.Output;
using Crawler.Http;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Output;

public sealed class ResultPrinterSpecs : Akka.TestKit.Xunit2.TestKit
{
    public ResultPrinterSpecs(ITestOutputHelper output) : base("akka.test.timefactor = 3\nakka.loglevel = INFO", output)
    {
    }

    [Fact]
    public async Task Printer_should_write_results_as_they_come_then_the_summary_and_report_completion()
    {
        var output = new StringWriter();
        var summaryOutput = new StringWriter();
        var completion = new TaskCompletionSource<CrawlSummary>();
        var printer = Sys.ActorOf(ResultPrinter.Props(new PrinterOptions(ResultFormat.Text, output, summaryOutput, TestActor, completion)));
        Watch(printer);
        printer.Tell(new Crawl.CrawlStarted(2, CrawlMode.Planets));
        printer.Tell(new Crawl.PlanetFetched(1, "http://b.test/", "http://b.test/a", "B", 200, 1, 5));
        await AwaitAssertAsync(() => Assert.Contains("first article on http://b.test/ :", output.ToString(), StringComparison.Ordinal));
        Assert.Equal("", summaryOutput.ToString());

        printer.Tell(new Crawl.PlanetFailed(0, "http://a.test/", FetchStage.Planet, new Failure(ErrorKind.Dns, "could not resolve a.test", "http://a.test/"), 1, 3));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // the coordinator decides when the crawl is done
        Assert.Equal("", summaryOutput.ToString());
        printer.Tell(new Crawl.CrawlFinished(2));
        var completed = await ExpectMsgAsync<Crawl.Completed>();
        Assert.Equal((2, 1, 1), (completed.Summary.Total, completed.Summary.Ok, completed.Summary.Failed));
        Assert.Equal(1, completed.Summary.FailuresByKind[ErrorKind.Dns]);
        Assert.Equal(completed.Summary, await completion.Task);
        Assert.Matches(@"^2 planets: 1 ok, 1 failed \(dns 1\) in \d+\.\d\d s\n$", summaryOutput.ToString().ReplaceLineEndings("\n"));
        Assert.EndsWith("failed on http://a.test/ : dns: could not resolve a.test\n\n", output.ToString(), StringComparison.Ordinal);
        await ExpectTerminatedAsync(printer);
    }

    [Fact]
    public async Task Printer_should_leave_the_system_running_when_embedded()
    {
        var completion = new TaskCompletionSource<CrawlSummary>();
        var printer = Sys.ActorOf(ResultPrinter.Props(new PrinterOptions(ResultFormat.Json, TextWriter.Null, TextWriter.Null, null, completion)));
        Watch(printer);
        printer.Tell(new Crawl.CrawlStarted(0, CrawlMode.Planets));
        printer.Tell(new Crawl.CrawlFinished(0));
        Assert.Equal(0, (await completion.Task).Total);
        await ExpectTerminatedAsync(printer); // its work is done: after it stopped, nothing more can stop the system
        Assert.False(Sys.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task Printer_should_stop_a_console_mode_system_once_complete()
    {
        using var console = ActorSystem.Create("console", "akka.loglevel = WARNING");
        var completion = new TaskCompletionSource<CrawlSummary>();
        var printer = console.ActorOf(ResultPrinter.Props(new PrinterOptions(ResultFormat.Text, TextWriter.Null, TextWriter.Null,
            null, completion, StopSystemOnCompletion: true)));
        printer.Tell(new Crawl.CrawlStarted(1, CrawlMode.Titles));
        printer.Tell(new Crawl.PlanetFetched(0, "http://a.test/", null, "A", 200, 1, 1));
        Assert.NotSame(console.WhenTerminated, await Task.WhenAny(console.WhenTerminated, Task.Delay(200))); // not before the crawl is finished
        printer.Tell(new Crawl.CrawlFinished(1));
        await console.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(completion.Task.IsCompletedSuccessfully);
    }
}

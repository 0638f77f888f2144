using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Crawler.Http;
using Crawler.Http.Connection;
using Crawler.Http.Parsing;

namespace Crawler.Bench;

/// <summary>
/// The HTTP response parser under BenchmarkDotNet: three responses fed in 4 KB frames through a <see cref="ReadBuffer"/>,
/// as Akka.IO delivers them to the connection actor. <c>Parse</c> is the parser alone (with a handler that only counts);
/// <c>ParseAndBuild</c> adds the connection's <see cref="ResponseBuilder"/> (header strings, the body array), which is
/// what a request really costs. MB/s is printed after the table from the measured means.
/// </summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private const int FrameSize = 4096;

    private readonly HttpResponseParser _parser = new();
    private readonly ReadBuffer _buffer = new();
    private readonly ResponseBuilder _builder = new();
    private readonly Crawler.Http.Http.Send _request = Crawler.Http.Http.Send.Get(1, new Uri("http://bench.test/"));
    private byte[] _bytes = [];

    /// <summary>The response parsed.</summary>
    [Params("content-length-20k", "chunked-20k", "headers-100")]
    public string Response { get; set; } = "content-length-20k";

    /// <summary>The bytes of each response.</summary>
    public static byte[] Bytes(string response)
    {
        var body = string.Concat(Enumerable.Range(0, 700).Select(i => $"<p>Line {i:D5} of the article body.</p>\n"))[..20_000];
        var text = response switch
        {
            "content-length-20k" => $"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nServer: bench\r\n\r\n{body}",
            "chunked-20k" => "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n" +
                string.Concat(body.Chunk(1000).Select(c => $"{c.Length:x}\r\n{new string(c)}\r\n")) + "0\r\n\r\n",
            "headers-100" => "HTTP/1.1 200 OK\r\n" +
                string.Concat(Enumerable.Range(0, 99).Select(i => $"X-Header-{i:D3}: value number {i} of a long list of headers\r\n")) +
                "Content-Length: 2\r\n\r\nok",
            _ => throw new ArgumentException(response, nameof(response)),
        };
        return Encoding.ASCII.GetBytes(text);
    }

    [GlobalSetup]
    public void Setup() => _bytes = Bytes(Response);

    [GlobalCleanup]
    public void Cleanup() => _buffer.Dispose();

    [Benchmark(Baseline = true)]
    public int Parse()
    {
        var handler = new CountingHandler();
        Feed(ref handler);
        return handler.Bytes;
    }

    [Benchmark]
    public int ParseAndBuild()
    {
        _builder.Reset();
        var handler = _builder;
        Feed(ref handler);
        return handler.ToMessage(_request).Body.Length;
    }

    private void Feed<THandler>(ref THandler handler)
        where THandler : IHttpResponseHandler
    {
        _parser.Reset();
        _parser.EnqueueRequest(System.Net.Http.HttpMethod.Get);
        _buffer.Clear();
        for (var offset = 0; offset < _bytes.Length; offset += FrameSize)
        {
            var frame = _bytes.AsSpan(offset, Math.Min(FrameSize, _bytes.Length - offset));
            _buffer.EnsureAvailable(frame.Length);
            frame.CopyTo(_buffer.AvailableSpan);
            _buffer.Commit(frame.Length);
            var result = _parser.Parse(_buffer.ActiveSpan, ref handler);
            _buffer.Discard(result.Consumed);
            if (result.Status == ParseStatus.ResponseComplete)
            {
                return;
            }

            if (result.Status == ParseStatus.Error)
            {
                throw new InvalidOperationException($"{Response}: {result.Error}");
            }
        }

        throw new InvalidOperationException($"{Response}: the response did not complete");
    }

    /// <summary>Runs the benchmarks in this process (no generated project, so it works offline) and prints MB/s.</summary>
    public static void Run(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var summary = BenchmarkRunner.Run<ParserBenchmarks>(config, args);
        Console.WriteLine();
        Console.WriteLine("| Response | Method | Bytes | Mean | MB/s | Allocated/response |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (var report in summary.Reports.Where(r => r.ResultStatistics is not null))
        {
            var response = (string)report.BenchmarkCase.Parameters["Response"];
            var size = Bytes(response).Length;
            var meanNs = report.ResultStatistics!.Mean;
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            Console.WriteLine(
                $"| {response} | {report.BenchmarkCase.Descriptor.WorkloadMethod.Name} | {size:N0} | {meanNs / 1000:F2} us | " +
                $"{size / (meanNs / 1e9) / 1e6:F0} | {allocated:N0} B |");
        }
    }

    private struct CountingHandler : IHttpResponseHandler
    {
        public int Bytes;
        public int Headers;

        public void OnInterimResponse(int statusCode)
        {
        }

        public void OnStatusLine(HttpVersion version, int statusCode, ReadOnlySpan<byte> reasonPhrase)
        {
        }

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Headers++;

        public void OnHeadersComplete(BodyFraming framing, long contentLength, bool keepAlive)
        {
        }

        public void OnBody(ReadOnlySpan<byte> data) => Bytes += data.Length;

        public void OnResponseComplete()
        {
        }
    }
}

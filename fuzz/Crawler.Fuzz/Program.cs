using Crawler.Fuzz.Targets;
using SharpFuzz;

namespace Crawler.Fuzz;

/// <summary>
/// <c>Crawler.Fuzz TARGET</c> runs one target under AFL++ (SharpFuzz's in-process loop, on assemblies instrumented
/// by <c>fuzz/run.sh</c>); <c>Crawler.Fuzz TARGET FILE|DIR ...</c> replays inputs once each and says which fail.
/// </summary>
internal static class Program
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> Targets = new Dictionary<string, Action<byte[]>>
    {
        ["response"] = input => ResponseParserTarget.Run(input),
        ["decoding"] = input => DecodingTarget.Run(input),
        ["robots"] = input => RobotsTarget.Run(input),
        ["url"] = input => UrlTarget.Run(input),
        ["hocon"] = input => HoconTarget.Run(input),
    };

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !Targets.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine($"usage: Crawler.Fuzz {string.Join('|', Targets.Keys)} [FILE|DIR ...]");
            return 2;
        }

        if (args.Length == 1)
        {
            Fuzzer.Run(stream =>
            {
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                target(memory.ToArray());
            });
            return 0;
        }

        var failed = 0;
        var files = args.Skip(1).SelectMany(path => Directory.Exists(path) ? Directory.GetFiles(path) : [path]).ToList();
        foreach (var file in files)
        {
            try
            {
                target(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failed++;
                Console.Error.WriteLine(Environment.GetEnvironmentVariable("FUZZ_STACK") is null
                    ? $"{file}: {e.GetType().Name}: {e.Message}"
                    : $"{file}: {e}");
            }
        }

        Console.WriteLine($"{files.Count - failed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}

using System.Globalization;

namespace Crawler;

/// <summary>The host's commands.</summary>
internal enum Command
{
    Planets,
    Titles,
    Demo,
    ServeSample,
    Get,
    Jobs,
    Node,
    Submit,
    Status,
    Cancel,
    Help,
}

/// <summary>The parsed command line (see <see cref="Usage"/>).</summary>
internal sealed record CommandLine(
    Command Command,
    IReadOnlyList<string> Urls,
    IReadOnlyList<string> Files,
    bool Json,
    string? ConfigFile,
    double? TimeoutSeconds,
    double? DeadlineSeconds,
    bool Sequential,
    string? ArticleSelector,
    string? TitleSelector,
    int Repeat,
    bool Verbose,
    int DemoPlanets,
    int DemoDelayMs,
    string? UserAgent = null,
    bool IgnoreRobots = false,
    bool Insecure = false,
    int? MaxConnectionsPerHost = null,
    bool Pipelining = false,
    string? TimelinePath = null,
    bool IncludeHead = false,
    bool HeadOnly = false,
    bool FollowRedirects = false,
    string? OutputFile = null,
    long? MaxFileSize = null,
    string? Proxy = null,
    string? NoProxy = null,
    int? Retries = null,
    double? HostDelaySeconds = null,
    bool Quiet = false,
    int SamplePort = 0,
    string? Job = null,
    string? Journal = null,
    bool Fresh = false,
    IReadOnlyList<string>? Seeds = null,
    string? Hostname = null,
    string? JournalConnection = null,
    string? JournalProvider = null,
    bool Detach = false,
    int SampleHosts = 1,
    bool SubmitTitles = false)
{
    /// <summary>The longest job name.</summary>
    private const int MaxJobName = 100;

    /// <summary>The longest --timeout or --deadline: about 23 days, within what Akka's scheduler can wait.</summary>
    private const int MaxSeconds = 2_000_000;

    /// <summary>The most --repeat: each repeat is a planet held in memory.</summary>
    private const int MaxRepeat = 1_000_000;

    /// <summary>The most --retries: beyond it, a planet's timeout under --timeout grows past any use.</summary>
    private const int MaxRetries = 100;

    /// <summary>The most planets the sample site serves (demo --planets): its home page lists them all.</summary>
    private const int MaxDemoPlanets = 100_000;

    /// <summary>The longest demo --delay-ms: one minute.</summary>
    private const int MaxDemoDelayMs = 60_000;

    public const string Usage = """
        usage: crawler [options] [URL ...]       the planet job; no URL: the planets in hocon/crawler.conf
               crawler titles [options] URL ...  the trivial job: 'URL : title' for each page; --repeat N fetches each N times
               crawler demo [options]            serve the sample planet farm on 127.0.0.1 and crawl it
               crawler serve-sample [--planets N] [--delay-ms D] [--port P] [--hosts H]
                                                 serve the sample planet farm on 127.0.0.1 until Ctrl-C; its
                                                 URL on stdout, to crawl with the other commands
               crawler get [-i] [-I] [-L] [-o FILE] [--max-filesize SIZE] [--timeout S] URL
                                                 one request through our client; the body to stdout as it
                                                 arrives, like curl
               crawler --job NAME --journal FILE [options] [URL ... | -f FILE]
                                                 a resumable crawl (planets or titles): each result is saved
                                                 in FILE (SQLite) before it is printed; the same command
                                                 again, after Ctrl-C, a kill or a crash, prints what was done
                                                 and crawls only the rest
               crawler jobs --journal FILE [--json]
                                                 the jobs FILE holds, with their progress
               crawler node --port P [--hostname H] --seed H:P ... (--journal FILE |
                            --journal-connection CS --journal-provider NAME)
                                                 a worker of a cluster crawl until SIGTERM (it leaves the
                                                 cluster and hands its hosts off; exit 0)
               crawler submit --seed H:P ... [--job NAME] [--titles] [--detach] [options] [URL ... | -f FILE]
                                                 crawl on the cluster; its results printed as a crawl here
                                                 prints them; Ctrl-C detaches, the crawl goes on
               crawler status|cancel --seed H:P ... --job NAME
                                                 a cluster job's progress; end it (unfinished: cancelled)

        options:
          -f, --file FILE            read URLs from FILE, one a line ('-' = stdin; blank and # lines skipped);
                                     repeat it for several files, crawled in order
              --json                 one JSON object per line per planet
              --config FILE          HOCON merged over the defaults
              --timeout SECONDS      limit on each HTTP request (each phase of it at most as long too)
              --deadline SECONDS     limit on the whole crawl: unfinished planets end as timeouts
              --sequential           one planet after the other, for comparison
              --article-selector SEL the article link: CSS, or XPath when it starts with / (default: h3 > a[href];
                                     the seed's //h3/a/@href works as written)
              --title-selector SEL   the title: CSS or XPath (default: head > title; or /html/head/title)
              --repeat N             fetch each URL N times (titles)
              --user-agent UA        the User-Agent header (its product token also picks the robots.txt group)
              --ignore-robots        do not fetch or obey robots.txt
          -k, --insecure             accept any TLS certificate (validation is on by default)
              --max-connections-per-host N   keep-alive connections per host (default 8; 0 = no limit)
              --retries N            retries after a request's first attempt (crawler.retry.max-retries; default 2)
              --host-delay SECONDS   least time between two requests to one host (crawler.min-host-delay; default 0)
              --pipelining           write several requests back to back on one connection
              --proxy URL            send every request through the http:// proxy URL (user:password@ for
                                     Basic auth; '' for none); wins over HTTP_PROXY, HTTPS_PROXY, ALL_PROXY
              --noproxy LIST         hosts that go direct: comma-separated names, IPs, CIDR ranges or *;
                                     wins over NO_PROXY
              --timeline FILE        draw every request's phases (DNS, connect, wait, body) as FILE.svg or .html
              --verbose              debug log on stderr
          -q, --quiet                the results alone: no summary, progress line or notice on stderr
              --job NAME             name the crawl as a resumable job (letters, digits, '.', '_', '-')
              --journal FILE         the SQLite file that keeps jobs (created if absent)
              --fresh                forget what the journal holds of the job and start it over
          -h, --help                 this text (also: crawler help [COMMAND])
        node, submit, status, cancel:
              --seed H:P             a node to join (repeat it; the nodes' own list, in the same order)
              --hostname H           the node's address (default 127.0.0.1); --port P its port
              --journal-connection CS, --journal-provider NAME
                                     a shared journal for nodes on several machines (e.g. PostgreSQL.15)
              --detach               submit and exit at once (follow it later with submit --job NAME)
              --titles               submit the titles job (each URL's own title) instead of the planets
        demo and serve-sample:
              --planets N            planets in the farm (default 4)
              --delay-ms D           delay of every response in ms (default 200)
              --port P               serve-sample's port on 127.0.0.1 (default 0: a free one)
              --hosts H              serve-sample's planets spread over H hosts, 127.0.0.1 ... 127.0.0.H (default 1)
        get:
          -i                         the status line and headers first
          -I                         send HEAD (and print the status line and headers)
          -L                         follow redirects (up to crawler.http.max-redirects)
          -o, --output FILE          write the body (and with -i the head) to FILE instead of stdout
              --max-filesize SIZE    refuse a body larger than SIZE bytes (suffix k, M or G); no limit by default
          exit 0 when the whole response arrived, whatever its status; 1 with 'KIND: message' when not
          (a body cut off or beyond --max-filesize: what arrived was written)

        exit codes: 0 every planet succeeded, 1 some failed, 2 bad usage, 130 interrupted (Ctrl-C, SIGTERM)
        """;

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <exception cref="UsageException">An unknown option, a missing or bad value.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var command = Command.Planets;
        var urls = new List<string>();
        var files = new List<string>();
        string? config = null, article = null, title = null, userAgent = null;
        var ignoreRobots = false;
        var insecure = false;
        var pipelining = false;
        string? timeline = null;
        int? perHost = null, retries = null;
        double? hostDelay = null;
        var quiet = false;
        var port = 0;
        double? timeout = null, deadline = null;
        bool json = false, sequential = false, verbose = false, help = false, includeHead = false, headOnly = false, follow = false;
        int repeat = 1, planets = 4, delay = 200;
        string? output = null, proxy = null, noProxy = null;
        long? maxFileSize = null;
        string? job = null, journal = null, hostname = null, journalConnection = null, journalProvider = null;
        var fresh = false;
        var detach = false;
        var submitTitles = false;
        var sampleHosts = 1;
        var seeds = new List<string>();
        if (args.Count > 0 && args[0] == "help")
        {
            return Parse(["--help"]); // 'crawler help [COMMAND]': the usage (one text for every command)
        }

        var commandSeen = false;
        var optionsEnded = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!optionsEnded && !commandSeen && urls.Count == 0 && arg is "titles" or "demo" or "get" or "serve-sample" or "jobs" or "node" or "submit" or "status" or "cancel")
            {
                // The subcommand: first, or after options (a URL is never one of these words).
                command = arg switch
                {
                    "titles" => Command.Titles, "demo" => Command.Demo, "serve-sample" => Command.ServeSample, "jobs" => Command.Jobs,
                    "node" => Command.Node, "submit" => Command.Submit, "status" => Command.Status, "cancel" => Command.Cancel,
                    _ => Command.Get,
                };
                commandSeen = true;
                continue;
            }

            if (optionsEnded || !arg.StartsWith('-') || arg == "-")
            {
                urls.Add(arg);
                continue;
            }

            switch (arg)
            {
                case "--":
                    optionsEnded = true;
                    break;
                case "-h" or "--help":
                    help = true;
                    break;
                case "-f" or "--file":
                    files.Add(Value(args, ref i));
                    break;
                case "--json":
                    json = true;
                    break;
                case "--config":
                    config = Value(args, ref i);
                    break;
                case "--timeout":
                    timeout = PositiveNumber(args, ref i);
                    break;
                case "--deadline":
                    deadline = PositiveNumber(args, ref i);
                    break;
                case "--sequential":
                    sequential = true;
                    break;
                case "--article-selector":
                    article = Value(args, ref i);
                    break;
                case "--title-selector":
                    title = Value(args, ref i);
                    break;
                case "--repeat":
                    repeat = PositiveInt(args, ref i, MaxRepeat);
                    break;
                case "--user-agent":
                    userAgent = Value(args, ref i);
                    break;
                case "--ignore-robots":
                    ignoreRobots = true;
                    break;
                case "--insecure" or "-k":
                    insecure = true;
                    break;
                case "--max-connections-per-host":
                    perHost = NonNegativeInt(args, ref i);
                    break;
                case "-q" or "--quiet":
                    quiet = true;
                    break;
                case "--port" when command is Command.ServeSample or Command.Node:
                    port = NonNegativeInt(args, ref i, 65535);
                    break;
                case "--retries":
                    retries = NonNegativeInt(args, ref i, MaxRetries);
                    break;
                case "--host-delay":
                    hostDelay = Seconds(args, ref i, zero: true);
                    break;
                case "--pipelining":
                    pipelining = true;
                    break;
                case "--job":
                    job = JobName(args, ref i);
                    break;
                case "--journal":
                    journal = Value(args, ref i);
                    break;
                case "--fresh":
                    fresh = true;
                    break;
                case "--seed" when command is Command.Node or Command.Submit or Command.Status or Command.Cancel:
                    seeds.Add(Seed(args, ref i));
                    break;
                case "--hostname" when command == Command.Node:
                    hostname = Value(args, ref i);
                    break;
                case "--journal-connection" when command == Command.Node:
                    journalConnection = Value(args, ref i);
                    break;
                case "--journal-provider" when command == Command.Node:
                    journalProvider = Value(args, ref i);
                    break;
                case "--hosts" when command == Command.ServeSample:
                    sampleHosts = PositiveInt(args, ref i, 250);
                    break;
                case "--detach" when command == Command.Submit:
                    detach = true;
                    break;
                case "--titles" when command == Command.Submit:
                    submitTitles = true;
                    break;
                case "--proxy" or "-x":
                    proxy = Value(args, ref i);
                    break;
                case "--noproxy":
                    noProxy = Value(args, ref i);
                    break;
                case "--timeline":
                    timeline = Value(args, ref i);
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "--planets" when command is Command.Demo or Command.ServeSample:
                    planets = PositiveInt(args, ref i, MaxDemoPlanets);
                    break;
                case "--delay-ms" when command is Command.Demo or Command.ServeSample:
                    delay = NonNegativeInt(args, ref i, MaxDemoDelayMs);
                    break;
                case "-i" when command == Command.Get:
                    includeHead = true;
                    break;
                case "-I" when command == Command.Get:
                    headOnly = true;
                    break;
                case "-L" when command == Command.Get:
                    follow = true;
                    break;
                case "-o" or "--output" when command == Command.Get:
                    output = Value(args, ref i);
                    break;
                case "--max-filesize" when command == Command.Get:
                    maxFileSize = Size(args, ref i);
                    break;
                default:
                    throw new UsageException($"unknown option '{arg}' (crawler --help lists them)");
            }
        }

        if (timeline is not null && Path.GetDirectoryName(Path.GetFullPath(timeline)) is { } folder && !Directory.Exists(folder))
        {
            throw new UsageException($"--timeline: the folder '{folder}' does not exist");
        }

        if (timeline is not null)
        {
            CheckWritable(timeline);
        }

        if (command == Command.ServeSample && (urls.Count > 0 || files.Count > 0))
        {
            throw new UsageException("serve-sample serves the sample site and takes no URLs");
        }

        if (command == Command.Demo && (urls.Count > 0 || files.Count > 0))
        {
            throw new UsageException("demo crawls its own sample site and takes no URLs");
        }

        if (command == Command.Get && !help && (urls.Count != 1 || files.Count > 0))
        {
            throw new UsageException("get takes exactly one URL");
        }

        if (command is Command.Node or Command.Submit or Command.Status or Command.Cancel)
        {
            CheckCluster(command, seeds, job, journal, journalConnection, journalProvider, urls.Count > 0 || files.Count > 0, help);
        }
        else
        {
            CheckJob(command, job, journal, fresh, urls.Count > 0 || files.Count > 0);
        }

        return new CommandLine(help ? Command.Help : command, urls, files, json, config, timeout, deadline, sequential, article, title,
            repeat, verbose, planets, delay, userAgent, ignoreRobots, insecure, perHost, pipelining, timeline, includeHead, headOnly, follow,
            output, maxFileSize, proxy, noProxy, retries, hostDelay, quiet, port, job, journal, fresh, seeds, hostname, journalConnection,
            journalProvider, detach, sampleHosts, submitTitles);
    }

    /// <summary>The cluster commands: seeds always; a node keeps a journal; status and cancel name a job.</summary>
    private static void CheckCluster(Command command, List<string> seeds, string? job, string? journal, string? connection, string? provider,
        bool anyUrls, bool help)
    {
        if (help)
        {
            return;
        }

        var name = command.ToString().ToLowerInvariant();
        if (seeds.Count == 0)
        {
            throw new UsageException($"{name} needs --seed H:P (a node of the cluster; repeat it for several)");
        }

        if (command == Command.Node)
        {
            if ((journal is null) == (connection is null))
            {
                throw new UsageException("node needs one journal: --journal FILE (SQLite, nodes on one machine) or --journal-connection CS");
            }

            if ((connection is null) != (provider is null))
            {
                throw new UsageException("--journal-connection and --journal-provider go together (e.g. --journal-provider PostgreSQL.15)");
            }

            if (anyUrls)
            {
                throw new UsageException("node takes no URLs: submit them with crawler submit");
            }
        }
        else if (journal is not null)
        {
            throw new UsageException($"{name} talks to the cluster, whose nodes keep the journal: --journal belongs to crawler node");
        }

        if (command is Command.Status or Command.Cancel && (job is null || anyUrls))
        {
            throw new UsageException($"{name} needs --job NAME and takes no URLs");
        }
    }

    private static string Seed(IReadOnlyList<string> args, ref int i)
    {
        var text = Value(args, ref i);
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? text
            : throw new UsageException($"--seed needs HOST:PORT, not '{text}'");
    }

    /// <summary>--job, --journal and --fresh go together, with the crawls that can be resumed; jobs takes a journal.</summary>
    private static void CheckJob(Command command, string? job, string? journal, bool fresh, bool anyUrls)
    {
        if (command == Command.Jobs)
        {
            if (journal is null)
            {
                throw new UsageException("jobs needs --journal FILE");
            }

            if (job is not null || fresh || anyUrls)
            {
                throw new UsageException("jobs lists the jobs of --journal FILE and takes no URLs, --job or --fresh");
            }

            return;
        }

        if (job is not null && command is not (Command.Planets or Command.Titles))
        {
            throw new UsageException("--job names a crawl (the planet job or titles), not demo, get or serve-sample");
        }

        if (job is not null && journal is null)
        {
            throw new UsageException("--job needs --journal FILE, the SQLite file that keeps the job");
        }

        if (job is null && journal is not null)
        {
            throw new UsageException("--journal keeps a job: name it with --job NAME (or list its jobs: crawler jobs --journal FILE)");
        }

        if (fresh && job is null)
        {
            throw new UsageException("--fresh starts a job over: name it with --job NAME");
        }
    }

    private static string JobName(IReadOnlyList<string> args, ref int i)
    {
        var name = Value(args, ref i);
        return name.Length is > 0 and <= MaxJobName && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            ? name
            : throw new UsageException($"--job needs a name of 1 to {MaxJobName} letters, digits, '.', '_' or '-', not '{name}'");
    }

    /// <summary>A size in bytes, as curl takes it: a whole number with an optional k, M or G (powers of 1024).</summary>
    private static long Size(IReadOnlyList<string> args, ref int i)
    {
        var name = args[i];
        var text = Value(args, ref i);
        var (digits, unit) = text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], char.ToUpperInvariant(text[^1])) : (text, ' ');
        var factor = unit switch { ' ' => 1L, 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 0L };
        if (factor == 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > long.MaxValue / factor)
        {
            throw new UsageException($"{name} needs a positive size in bytes, with an optional k, M or G (got '{text}')");
        }

        return n * factor;
    }

    /// <summary>The timeline is written at the end of the crawl: a path that cannot be written is bad usage now,
    /// not a surprise after the crawl.</summary>
    private static void CheckWritable(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"--timeline: '{path}' is a directory");
        }

        var existed = File.Exists(path);
        try
        {
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write))
            {
            }

            if (!existed)
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--timeline: cannot write '{path}': {e.Message}");
        }
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
        {
            throw new UsageException($"option '{args[i]}' needs a value");
        }

        return args[++i];
    }

    private static double PositiveNumber(IReadOnlyList<string> args, ref int i) => Seconds(args, ref i, zero: false);

    private static double Seconds(IReadOnlyList<string> args, ref int i, bool zero)
    {
        var option = args[i];
        var text = Value(args, ref i);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && (value > 0 || (zero && value == 0)) && value <= MaxSeconds
            ? value
            : throw new UsageException($"option '{option}' needs a number of seconds {(zero ? "from 0" : "above 0")} and at most {MaxSeconds}, not '{text}'");
    }

    private static int PositiveInt(IReadOnlyList<string> args, ref int i, int maximum = int.MaxValue) => WholeNumber(args, ref i, 1, maximum);

    private static int NonNegativeInt(IReadOnlyList<string> args, ref int i, int maximum = int.MaxValue) => WholeNumber(args, ref i, 0, maximum);

    private static int WholeNumber(IReadOnlyList<string> args, ref int i, int minimum, int maximum)
    {
        var option = args[i];
        var text = Value(args, ref i);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum
            ? value
            : throw new UsageException(maximum == int.MaxValue
                ? $"option '{option}' needs a whole number of at least {minimum}, not '{text}'"
                : $"option '{option}' needs a whole number from {minimum} to {maximum}, not '{text}'");
    }
}

namespace Crawler.Tests;

/// <summary>The console host's command line: where the subcommand may stand, and <c>crawler help</c>.</summary>
public sealed class CommandLineSpecs
{
    [Theory]
    [InlineData("titles --json http://a.test/")]
    [InlineData("--json titles http://a.test/")]
    [InlineData("--json --config titles titles http://a.test/")] // the value of --config is not the subcommand
    public void The_subcommand_should_be_taken_before_or_after_options(string args)
    {
        var line = CommandLine.Parse(args.Split(' '));
        Assert.Equal(Command.Titles, line.Command);
        Assert.True(line.Json);
        Assert.Equal(["http://a.test/"], line.Urls);
    }

    [Fact]
    public void A_subcommand_word_after_a_url_or_after_the_end_of_options_should_be_a_url()
    {
        Assert.Equal(["http://a.test/", "titles"], CommandLine.Parse(["http://a.test/", "titles"]).Urls);
        Assert.Equal(["titles"], CommandLine.Parse(["--", "titles"]).Urls);
        Assert.Equal(Command.Planets, CommandLine.Parse(["--", "titles"]).Command);
    }

    [Theory]
    [InlineData("help")]
    [InlineData("help get")]
    public void Help_as_a_command_should_be_the_usage_and_never_a_url(string args) =>
        Assert.Equal(Command.Help, CommandLine.Parse(args.Split(' ')).Command);

    [Fact]
    public void The_usage_should_list_the_short_form_of_insecure() =>
        Assert.Contains("-k, --insecure", CommandLine.Usage, StringComparison.Ordinal);

    [Fact]
    public void Submit_should_take_titles_for_the_titles_job_and_nothing_else_should()
    {
        var line = CommandLine.Parse(["submit", "--seed", "127.0.0.1:4061", "--titles", "--job", "t", "http://a.test/"]);
        Assert.Equal((Command.Submit, true, "t"), (line.Command, line.SubmitTitles, line.Job));
        Assert.False(CommandLine.Parse(["submit", "--seed", "127.0.0.1:4061", "http://a.test/"]).SubmitTitles);
        Assert.Throws<UsageException>(() => CommandLine.Parse(["--titles", "http://a.test/"]));
        Assert.Contains("--titles", CommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_after_options_should_take_its_own_flags()
    {
        var line = CommandLine.Parse(["--timeout", "5", "get", "-i", "http://a.test/"]);
        Assert.Equal((Command.Get, true), (line.Command, line.IncludeHead));
    }

    [Theory]
    [InlineData("--job a --journal j.db http://a.test/", false)]
    [InlineData("titles --journal j.db --job a.b_c-1 --fresh http://a.test/", true)]
    public void A_job_should_name_a_crawl_with_its_journal(string args, bool titles)
    {
        var line = CommandLine.Parse(args.Split(' '));
        Assert.Equal(titles ? Command.Titles : Command.Planets, line.Command);
        Assert.Equal("j.db", line.Journal);
        Assert.NotNull(line.Job);
    }

    [Fact]
    public void Jobs_should_take_a_journal_and_nothing_to_crawl()
    {
        var line = CommandLine.Parse(["jobs", "--journal", "j.db", "--json"]);
        Assert.Equal((Command.Jobs, "j.db", true), (line.Command, line.Journal, line.Json));
    }

    [Theory]
    [InlineData("--job a http://a.test/")] // no journal
    [InlineData("--journal j.db http://a.test/")] // no job
    [InlineData("--fresh http://a.test/")]
    [InlineData("--job a/b --journal j.db")] // a name that is not a plain word
    [InlineData("demo --job a --journal j.db")]
    [InlineData("get --job a --journal j.db http://a.test/")]
    [InlineData("jobs")]
    [InlineData("jobs --journal j.db http://a.test/")]
    [InlineData("jobs --journal j.db --job a")]
    public void A_job_option_out_of_place_should_be_bad_usage(string args) =>
        Assert.Throws<UsageException>(() => CommandLine.Parse(args.Split(' ')));

    [Fact]
    public void Serve_sample_should_take_its_hosts_and_only_it()
    {
        Assert.Equal(8, CommandLine.Parse(["serve-sample", "--hosts", "8"]).SampleHosts);
        Assert.Throws<UsageException>(() => CommandLine.Parse(["serve-sample", "--hosts", "0"]));
        Assert.Throws<UsageException>(() => CommandLine.Parse(["--hosts", "8", "http://a.test/"]));
    }
}

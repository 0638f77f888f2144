using System.Net.Http;
using Crawler.Http.Parsing;
using Crawler.Http.Tests.Parsing;

namespace Crawler.Http.Tests.Conformance;

/// <summary>Every case of <c>../shared/http-conformance/responses.json</c> (copied into this project with its
/// README), through the parser whole, byte by byte and split in two at every offset, in both strictness modes.</summary>
public sealed class ConformanceSpecs
{
    public static TheoryData<string> CaseIds => new(ConformanceCase.Ids);

    [Fact]
    public void The_conformance_data_should_hold_all_104_cases() => Assert.Equal(104, ConformanceCase.Count);

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Parser_should_reach_the_expected_result_for_each_case_when_lenient(string id) =>
        AssertCase(ConformanceCase.Load(id, lenient: true), HttpParserLimits.Default);

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Parser_should_reach_the_expected_result_for_each_case_when_strict(string id) =>
        AssertCase(ConformanceCase.Load(id, lenient: false), HttpParserLimits.Default with { LfLineTerminators = false });

    private static void AssertCase(ConformanceCase c, HttpParserLimits limits)
    {
        var methods = Enumerable.Repeat(c.Method == "HEAD" ? HttpMethod.Head : HttpMethod.Get, 4).ToList();
        foreach (var (split, fragments) in ParserHarness.Splits(c.Raw, everyTwoPieceSplit: c.Raw.Length <= 2048))
        {
            var actual = SplitIntoResponses(ParserHarness.Run(fragments, limits, methods));
            for (var i = 0; i < c.Responses.Count; i++)
            {
                var expected = c.Responses[i];
                Assert.True(i < actual.Count, $"{c.Id} ({split}): response {i} missing");
                if (expected.Valid)
                {
                    Assert.True(expected.Events.SequenceEqual(actual[i]),
                        $"{c.Id} ({split}), response {i}:\nexpected {string.Join(", ", expected.Events)}\nactual   {string.Join(", ", actual[i])}");
                }
                else
                {
                    Assert.True(actual[i][^1] is ParserEvent.Failed,
                        $"{c.Id} ({split}), response {i}: expected an error, got {string.Join(", ", actual[i])}");
                }
            }

            Assert.True(actual.Count == c.Responses.Count,
                $"{c.Id} ({split}): {actual.Count} responses reported, {c.Responses.Count} expected");
        }
    }

    private static List<List<ParserEvent>> SplitIntoResponses(List<ParserEvent> events)
    {
        var responses = new List<List<ParserEvent>> { new() };
        foreach (var e in events)
        {
            responses[^1].Add(e);
            if (e is ParserEvent.Complete or ParserEvent.Failed)
            {
                responses.Add([]);
            }
        }

        if (responses[^1].Count == 0)
        {
            responses.RemoveAt(responses.Count - 1);
        }

        return responses;
    }
}

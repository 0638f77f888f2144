namespace Crawler.Fuzz;

/// <summary>An invariant of a target does not hold for an input: the fuzzer records the input as a crash.
/// (Any other exception escaping a target is a finding too.)</summary>
internal sealed class FuzzFinding(string message) : Exception(message);

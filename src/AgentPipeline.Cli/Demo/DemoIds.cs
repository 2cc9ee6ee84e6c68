using System.Security.Cryptography;

namespace AgentPipeline.Cli.Demo;

/// <summary>
/// Provider-style ids (sandboxes, responses, tool calls). They come from the system's generator,
/// not the seeded <see cref="Random"/>: a second demo on the same database must not repeat the
/// first one's sandbox ids, while its content stays the same for the same seed.
/// </summary>
internal static class DemoIds
{
    public static string New(string prefix, int bytes = 12) =>
        prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}

namespace AgentPipeline.Cli.Demo;

/// <summary>One feature request the demo can play through, with the repository facts its agents "discover".</summary>
/// <param name="Prompt">The user's request, stored as the run's prompt.</param>
/// <param name="Repo">The GitHub repository URL.</param>
/// <param name="Slug">Short name for branches and design notes.</param>
/// <param name="Runtime">The sandbox runtime.</param>
/// <param name="Keyword">What explorers grep for.</param>
/// <param name="Files">Relevant files: the one to change first, then supporting files; the last is a test.</param>
/// <param name="Approaches">Candidate approaches as (title, one-line summary).</param>
/// <param name="Constraint">A constraint the analysis uncovers.</param>
/// <param name="TestCommand">How the coders run the tests.</param>
internal sealed record Scenario(
    string Prompt,
    string Repo,
    string Slug,
    string Runtime,
    string Keyword,
    IReadOnlyList<string> Files,
    IReadOnlyList<(string Title, string Summary)> Approaches,
    string Constraint,
    string TestCommand)
{
    public string MainFile => Files[0];

    public string TestFile => Files[^1];
}

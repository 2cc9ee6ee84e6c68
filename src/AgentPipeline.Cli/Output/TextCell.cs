namespace AgentPipeline.Cli.Output;

/// <summary>One cell of a <see cref="TextTable"/>: plain text and an optional Spectre style (<c>red</c>, <c>grey</c>).</summary>
internal readonly record struct TextCell(string Text, string? Style = null)
{
    public static implicit operator TextCell(string text) => new(text);
}

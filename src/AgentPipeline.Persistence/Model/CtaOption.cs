namespace AgentPipeline.Persistence;

/// <summary>One option of a choice CTA; stored in <c>request_options</c> as <c>{"id", "label"}</c>.</summary>
/// <param name="Id">What <see cref="CtaResponse.SelectedId"/> names. Unique within the CTA.</param>
/// <param name="Label">What the human sees.</param>
public sealed record CtaOption(string Id, string Label);

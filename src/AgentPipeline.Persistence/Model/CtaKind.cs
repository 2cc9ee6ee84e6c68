namespace AgentPipeline.Persistence;

/// <summary>Kind of question asked of a human (<c>cta_kind</c>).</summary>
public enum CtaKind
{
    /// <summary>Stored as <c>approval</c>.</summary>
    Approval,
    /// <summary>Stored as <c>text</c>.</summary>
    Text,
    /// <summary>Stored as <c>choice</c>.</summary>
    Choice,
}

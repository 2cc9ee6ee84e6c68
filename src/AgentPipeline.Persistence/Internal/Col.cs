namespace AgentPipeline.Persistence.Internal;

/// <summary>How a value is bound and read back; enums travel as <see cref="Text"/>.</summary>
internal enum Col
{
    Text,
    Int,
    Long,
    Bool,
    Guid,
    Time,
    Json,
}

/// <summary>A named, typed SQL parameter or result column.</summary>
internal readonly record struct Param(string Name, Col Type);

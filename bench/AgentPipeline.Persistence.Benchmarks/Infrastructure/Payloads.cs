using System.Globalization;
using System.Text.Json;

namespace AgentPipeline.Persistence.Benchmarks.Infrastructure;

/// <summary>
/// What one agent step, tool call, memory note, completion and CTA answer look like: the shapes a
/// model SDK returns, at moderate sizes (a step is about 2.3 KB of text and JSON, a tool call about
/// 0.6 KB). Every side of a comparison stores the same values; the JSON is parsed once, so the
/// caller's cost of building its input is not part of any measurement.
/// </summary>
internal static class Payloads
{
    private static readonly DateTimeOffset ResponseTime = new(2026, 11, 26, 9, 30, 0, TimeSpan.Zero);

    public static readonly JsonElement StepMetadata = Parse("""{"agent":"coder","phase":"implementation","attempt":1}""");

    public static readonly JsonElement StepReasoning = Parse(
        """[{"type":"reasoning","text":"The export must reuse the orders query so filters apply; the CSV writer streams rows.","providerMetadata":{"anthropic":{"signature":"EqQBCkYIBRgCIkB2"}}}]""");

    public static readonly JsonElement StepContent = Parse(
        """
        [{"type":"text","text":"I will add the CSV export next to the existing Excel export, reusing the filtered orders query."},
         {"type":"tool-call","toolCallId":"toolu_01","toolName":"read","input":{"path":"src/Orders/OrdersPage.tsx"}},
         {"type":"tool-call","toolCallId":"toolu_02","toolName":"grep","input":{"pattern":"exportToExcel","path":"src"}}]
        """);

    public static readonly JsonElement UsageRaw = Parse(
        """{"input_tokens":1840,"output_tokens":412,"cache_creation_input_tokens":0,"cache_read_input_tokens":12288,"service_tier":"standard"}""");

    public static readonly JsonElement RequestBody = Parse(
        """
        {"model":"claude-sonnet-4-5","max_tokens":8192,"temperature":0,"stream":false,
         "system":[{"type":"text","text":"You are the coder agent. Work in small, verified steps.","cache_control":{"type":"ephemeral"}}],
         "tools":[{"name":"read","description":"Read a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}},
                  {"name":"grep","description":"Search files","input_schema":{"type":"object","properties":{"pattern":{"type":"string"},"path":{"type":"string"}},"required":["pattern"]}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"Add CSV export to the orders page. Keep the public API unchanged."}]}]}
        """);

    public static readonly JsonElement ResponseHeaders = Parse(
        """{"content-type":"application/json","request-id":"req_011CV9xq3bdHzYtEUm1Vv1dK","anthropic-ratelimit-requests-remaining":"3999","anthropic-ratelimit-tokens-remaining":"398000","x-envoy-upstream-service-time":"2143"}""");

    public static readonly JsonElement ResponseBody = Parse(
        """{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":1840,"output_tokens":412}}""");

    public static readonly JsonElement ProviderMetadata = Parse("""{"anthropic":{"cacheCreationInputTokens":0,"cacheReadInputTokens":12288}}""");

    public static readonly JsonElement Warnings = Parse("""[]""");

    public static readonly JsonElement ToolInput = Parse("""{"path":"src/Orders/OrdersPage.tsx","offset":0,"limit":400}""");

    public static readonly JsonElement ToolOutput = Parse(
        """
        {"type":"text","value":"import { useOrders } from './useOrders';\nimport { ExportButton } from '../Shared/ExportButton';\n\nexport function OrdersPage() {\n  const { orders, filters } = useOrders();\n  return (\n    <Page title=\"Orders\">\n      <OrdersFilters value={filters} />\n      <OrdersTable rows={orders} />\n      <ExportButton format=\"xlsx\" query={filters} />\n    </Page>\n  );\n}\n"}
        """);

    public static readonly JsonElement ToolProviderMetadata = Parse("""{"anthropic":{"cacheControl":null}}""");

    public static readonly JsonElement InputMessages = Parse(
        """[{"role":"user","content":[{"type":"text","text":"Implement the approach the judges chose: CSV export that reuses the orders query."}]}]""");

    public static readonly JsonElement PhaseOutput = Parse(
        """{"summary":"CSV export added next to Excel export; filters apply; 14 tests added.","files":["src/Orders/OrdersPage.tsx","src/Orders/exportCsv.ts"],"risk":"low"}""");

    public static readonly TokenUsage StepUsage = new()
    {
        InputTokens = 1840, OutputTokens = 412, TotalTokens = 2252, InputNoCacheTokens = 1840, InputCacheReadTokens = 12288,
        InputCacheWriteTokens = 0, OutputTextTokens = 301, OutputReasoningTokens = 111, Raw = UsageRaw,
    };

    private const string StepText =
        "I will add the CSV export next to the existing Excel export. The orders page already builds a filtered query in useOrders; " +
        "the export should reuse it so that what the user sees is what they download. First I read the page and look for the Excel export.";

    private const string StepReasoningText =
        "The export must reuse the orders query so filters apply; streaming the rows keeps memory flat for large accounts.";

    private static readonly string[] MemoryContents =
    [
        "The orders API is public: do not change its shape.",
        "Excel export lives in src/Shared/ExportButton.tsx and takes a format prop.",
        "Approach B (server-side CSV) was rejected: the report service is frozen this quarter.",
        "Tests for exports run under the orders-e2e tag; run them before opening the PR.",
    ];

    public static NewAgentStep Step(Guid invocationId, int stepNumber, Guid? id = null) => new()
    {
        Id = id,
        InvocationId = invocationId,
        StepNumber = stepNumber,
        ModelProvider = "anthropic.messages",
        ModelId = "claude-sonnet-4-5",
        FunctionId = "coder.step",
        Metadata = StepMetadata,
        Text = StepText,
        ReasoningText = StepReasoningText,
        Reasoning = StepReasoning,
        Content = StepContent,
        FinishReason = FinishReason.ToolCalls,
        RawFinishReason = "tool_use",
        Usage = StepUsage,
        Warnings = Warnings,
        RequestBody = RequestBody,
        ResponseId = "msg_01XFDUDYJgAACzvnptvVoYEL",
        ResponseModelId = "claude-sonnet-4-5-20250929",
        ResponseHeaders = ResponseHeaders,
        ResponseBody = ResponseBody,
        ResponseTimestamp = ResponseTime,
        ProviderMetadata = ProviderMetadata,
    };

    public static NewToolCall ToolCall(Guid stepId, int n, Guid? id = null) => new()
    {
        Id = id,
        StepId = stepId,
        ToolCallId = "toolu_" + n.ToString("D6", CultureInfo.InvariantCulture),
        ToolName = "read",
        Input = ToolInput,
        Output = ToolOutput,
        OutputType = ToolOutputType.Json,
        Title = "Read src/Orders/OrdersPage.tsx",
        ProviderMetadata = ToolProviderMetadata,
    };

    public static NewMemoryRecord Memory(Guid phaseResultId, Guid? invocationId, int n, Guid? id = null) => new()
    {
        Id = id,
        PhaseResultId = phaseResultId,
        InvocationId = invocationId,
        Kind = (MemoryKind)(n % 4),
        Content = MemoryContents[n % MemoryContents.Length],
    };

    public static NewAgentInvocation Invocation(Guid phaseResultId, AgentType type, Guid? parentId = null, Guid? id = null) => new()
    {
        Id = id,
        PhaseResultId = phaseResultId,
        ParentInvocationId = parentId,
        AgentType = type,
        ModelProvider = "anthropic.messages",
        ModelId = "claude-sonnet-4-5",
        SystemPrompt = "You are the coder agent. Work in small, verified steps; report what you changed.",
        InputMessages = InputMessages,
    };

    public static readonly AgentInvocationCompletion Completion = new()
    {
        FinishReason = FinishReason.Stop,
        RawFinishReason = "end_turn",
        OutputText = "Added CSV export to the orders page; it reuses the filtered orders query. 14 tests added, all green.",
        OutputReasoningText = StepReasoningText,
        OutputReasoning = StepReasoning,
        OutputContent = StepContent,
        OutputFiles = Warnings,
        OutputSources = Warnings,
        ResponseMessages = StepContent,
        ResponseId = "msg_01XFDUDYJgAACzvnptvVoYEL",
        ResponseModelId = "claude-sonnet-4-5-20250929",
        ResponseHeaders = ResponseHeaders,
        ResponseBody = ResponseBody,
        ResponseTimestamp = ResponseTime,
        ProviderMetadata = ProviderMetadata,
        Warnings = Warnings,
        RequestBody = RequestBody,
        StepCount = 10,
        Usage = StepUsage,
    };

    public static readonly CtaResponse Approval = CtaResponse.Approve("Ship it.");

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

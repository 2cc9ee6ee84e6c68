namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>
/// Realistic request bodies, response bodies, response headers and provider metadata as the AI SDK hands them
/// over for OpenAI (chat completions and responses API), Anthropic, Gemini, Vertex, Azure OpenAI, Bedrock,
/// Mistral, Groq, OpenRouter and Cohere, plus proxies, header arrays, HAR logs, tool outputs and error messages.
/// </summary>
internal static class RedactionCorpus
{
    private const string Invocations = "agent_invocations";
    private const string Steps = "agent_steps";
    private const string Headers = "response_headers";
    private const string Request = "request_body";
    private const string Response = "response_body";
    private const string Metadata = "provider_metadata";

    /// <summary>
    /// A PNG as base64 with AWS- and Google-key look-alikes inside the base64 run: inline image data must come
    /// through byte for byte.
    /// </summary>
    public static readonly string ImageBase64 = MakeImage();

    public static readonly IReadOnlyList<CorpusSample> Samples =
    [
        new("openai-chat-request", Invocations, Request, """
            {"model": "gpt-4.1",
             "messages": [
               {"role": "system", "content": "You are a coding agent. Never print credentials."},
               {"role": "user", "content": "The deploy failed. Here is my config: OPENAI_API_KEY={{openai-proj}} and the region is us-east-1."},
               {"role": "assistant", "content": null, "tool_calls": [{"id": "call_Kx7pQ2mN9vR4tL1w", "type": "function", "function": {"name": "read", "arguments": "{\"path\":\"src/config.ts\"}"}}]},
               {"role": "tool", "tool_call_id": "call_Kx7pQ2mN9vR4tL1w", "content": "export interface Config {\n  apiKey: string;\n  password: string | undefined;\n}\nconst apiKey = process.env.OPENAI_API_KEY;\nif (password === confirm) { login(); }"}
             ],
             "tools": [{"type": "function", "function": {"name": "connect_db", "description": "Connect to the database",
               "parameters": {"type": "object", "properties": {"host": {"type": "string"}, "password": {"type": "string", "description": "The database password"}, "api_key": {"type": "string"}},
               "required": ["password", "host"]}}}],
             "temperature": 0.2, "max_tokens": 4096, "stream": false, "user": "user-7f3a", "seed": 42}
            """,
            ["openai_api_key"],
            ["call_Kx7pQ2mN9vR4tL1w", "apiKey: string;", "password: string | undefined;", "process.env.OPENAI_API_KEY", "password === confirm", "The database password"]),

        new("openai-chat-response-headers", Steps, Headers, """
            {"date": "Tue, 04 Nov 2025 10:12:33 GMT", "content-type": "application/json", "openai-organization": "user-k2x9f7d1",
             "openai-processing-ms": "1843", "openai-project": "proj_R4nd0mPr0j3ctId", "openai-version": "2020-10-01",
             "x-ratelimit-limit-requests": "10000", "x-ratelimit-remaining-tokens": "1998765", "x-ratelimit-reset-tokens": "36ms",
             "x-request-id": "req_5f1c2a9be3d04e7f8a6b1c2d3e4f5a6b", "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
             "cf-cache-status": "DYNAMIC",
             "set-cookie": ["__cf_bm={{cookie#1}}; path=/; expires=Tue, 04-Nov-25 10:42:33 GMT; domain=.api.openai.com; HttpOnly; Secure; SameSite=None",
                            "_cfuvid={{session#2}}; path=/; domain=.api.openai.com; HttpOnly; Secure; SameSite=None"],
             "x-content-type-options": "nosniff", "server": "cloudflare", "cf-ray": "99a1b2c3d4e5f607-FRA", "alt-svc": "h3=\":443\"; ma=86400"}
            """,
            ["set-cookie"],
            ["req_5f1c2a9be3d04e7f8a6b1c2d3e4f5a6b", "99a1b2c3d4e5f607-FRA", "h3=\":443\"; ma=86400", "1998765"]),

        new("openai-chat-response-body", Steps, Response, """
            {"id": "chatcmpl-CXk3Lb7QmPz9RfT2uVw8yA1nE4dG", "object": "chat.completion", "created": 1762251153, "model": "gpt-4.1-2025-04-14",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": "Use a Bearer token from the vault; never hard-code the API key.", "refusal": null, "annotations": []},
               "logprobs": {"content": [{"token": "Use", "logprob": -0.00012339999999999999, "bytes": [85, 115, 101], "top_logprobs": []},
                                        {"token": " Bearer", "logprob": -1.2e-7, "bytes": [32, 66, 101, 97, 114, 101, 114], "top_logprobs": []}]},
               "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 1234, "completion_tokens": 56, "total_tokens": 1290, "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
               "completion_tokens_details": {"reasoning_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
             "service_tier": "default", "system_fingerprint": "fp_b3f1157249", "x_request_big": 123456789012345678901234567890}
            """,
            [],
            ["chatcmpl-CXk3Lb7QmPz9RfT2uVw8yA1nE4dG", "Use a Bearer token from the vault; never hard-code the API key.", " Bearer", "fp_b3f1157249"]),

        new("openai-responses-request-mcp", Invocations, Request, """
            {"model": "gpt-5",
             "input": [{"role": "developer", "content": "You are the implementation agent."},
                       {"role": "user", "content": [{"type": "input_text", "text": "Open a PR for the CSV export."}]}],
             "previous_response_id": "resp_68b1f0c2d4e6a8b0c2d4e6f8a0b2c4d6",
             "reasoning": {"effort": "medium", "summary": "auto"},
             "tools": [{"type": "mcp", "server_label": "github", "server_url": "https://api.githubcopilot.com/mcp/",
                        "headers": {"Authorization": "Bearer {{ghp}}"}, "require_approval": "never"},
                       {"type": "web_search_preview"}],
             "store": true, "include": ["reasoning.encrypted_content"], "max_output_tokens": 32000,
             "metadata": {"run_id": "0199f0a2-7c1e-7b3d-9a4f-2c8e1d6b5a40", "phase": "implementation"}}
            """,
            ["authorization"],
            ["resp_68b1f0c2d4e6a8b0c2d4e6f8a0b2c4d6", "0199f0a2-7c1e-7b3d-9a4f-2c8e1d6b5a40", "reasoning.encrypted_content"]),

        new("openai-responses-response", Invocations, Response, """
            {"id": "resp_68b1f0c2d4e6a8b0c2d4e6f8a0b2c4d7", "object": "response", "created_at": 1762251200, "status": "completed", "model": "gpt-5-2025-08-07",
             "output": [{"id": "rs_68b1f0c3a1b2c3d4e5f6a7b8c9d0e1f2", "type": "reasoning",
                         "encrypted_content": "gAAAAABpCq1x3Vb9kR2LmQ7nT4wZ8yH1cF6jP0sD5gK3aE9uX2oI7vN4bM1qW8eR5tY6zU3iO0pL9kJ2hG7fD4sA1xC8vB5nM6zQ3wE0rT9yU2iO5pA8sD1fG4hJ7kL0zX3cV6bN9mQ2wE5rT8yU1iO4pA7sD0fG3hJ6kL9zX2cV5bN8mQ1wE4rT7yU0iO3pA6sD9fG2hJ5kL8z==",
                         "summary": [{"type": "summary_text", "text": "Checked the orders API shape first."}]},
                        {"id": "msg_68b1f0c4b2c3d4e5f6a7b8c9d0e1f2a3", "type": "message", "status": "completed", "role": "assistant",
                         "content": [{"type": "output_text", "text": "Done: the export is behind the `csv_export` flag.",
                                      "annotations": [{"type": "url_citation", "start_index": 0, "end_index": 4, "url": "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Authorization", "title": "Authorization - HTTP"}]}]}],
             "usage": {"input_tokens": 5120, "input_tokens_details": {"cached_tokens": 4096}, "output_tokens": 812, "output_tokens_details": {"reasoning_tokens": 640}, "total_tokens": 5932},
             "parallel_tool_calls": true, "temperature": 1.0, "top_p": 1.0}
            """,
            [],
            ["gAAAAABpCq1x3Vb9kR2LmQ7nT4wZ8yH1cF6jP0sD5gK3aE9uX2oI7vN4bM1qW8eR5tY6zU3iO0pL9kJ2hG7fD4sA1xC8vB5nM6zQ3wE0rT9yU2iO5pA8sD1fG4hJ7kL0zX3cV6bN9mQ2wE5rT8yU1iO4pA7sD0fG3hJ6kL9zX2cV5bN8mQ1wE4rT7yU0iO3pA6sD9fG2hJ5kL8z==",
             "rs_68b1f0c3a1b2c3d4e5f6a7b8c9d0e1f2", "msg_68b1f0c4b2c3d4e5f6a7b8c9d0e1f2a3"]),

        new("openai-realtime-client-secret", Steps, Response, """
            {"value": "{{ephemeral}}", "expires_at": 1762254753,
             "session": {"type": "realtime", "object": "realtime.session", "id": "sess_C9G5QPteg4UIbotdKLoYQ", "model": "gpt-realtime",
                         "output_modalities": ["audio"], "audio": {"output": {"voice": "marin", "format": {"type": "audio/pcm", "rate": 24000}}},
                         "expires_at": 0, "tracing": null, "max_output_tokens": "inf"}}
            """,
            ["openai-ephemeral-key"],
            ["sess_C9G5QPteg4UIbotdKLoYQ", "audio/pcm"]),

        new("openai-invalid-key-error", Steps, Response, """
            {"error": {"message": "Incorrect API key provided: {{openai}}. You can find your API key at https://platform.openai.com/account/api-keys.",
                       "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}
            """,
            ["openai-key"],
            ["invalid_api_key", "https://platform.openai.com/account/api-keys."]),

        new("anthropic-request-env-file", Invocations, Request, """
            {"model": "claude-sonnet-4-5-20250929", "max_tokens": 8192,
             "system": [{"type": "text", "text": "You are the analysis agent.", "cache_control": {"type": "ephemeral"}}],
             "messages": [{"role": "user", "content": "Why does the worker fail to start?"},
                          {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01D7FLrfh4GYq7yT1ULFeyMV", "name": "read", "input": {"path": ".env"}}]},
                          {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01D7FLrfh4GYq7yT1ULFeyMV",
                            "content": "ANTHROPIC_API_KEY={{anthropic}}\nDATABASE_URL=postgres://app:{{password}}@db.internal:5432/orders\nMISTRAL_API_KEY={{mistral}}\nLOG_LEVEL=debug\nPORT=8080\n"}]}],
             "thinking": {"type": "enabled", "budget_tokens": 4096}, "stream": true}
            """,
            ["anthropic_api_key", "url-password", "mistral_api_key"],
            ["toolu_01D7FLrfh4GYq7yT1ULFeyMV", "LOG_LEVEL=debug", "PORT=8080", "@db.internal:5432/orders", "postgres://app:"]),

        new("anthropic-response-headers", Steps, Headers, """
            {"anthropic-organization-id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "anthropic-ratelimit-input-tokens-limit": "400000",
             "anthropic-ratelimit-input-tokens-remaining": "398000", "anthropic-ratelimit-input-tokens-reset": "2025-11-04T10:12:34Z",
             "anthropic-ratelimit-output-tokens-remaining": "79000", "request-id": "req_011CUnq9xQ3zY8p4vW2r7TsK", "retry-after": "12",
             "via": "1.1 google", "cf-ray": "99a1b2c3d4e5f608-AMS", "x-envoy-upstream-service-time": "2210",
             "Set-Cookie": "__cf_bm={{cookie}}; path=/; expires=Tue, 04-Nov-25 10:42:33 GMT; domain=.anthropic.com; HttpOnly; Secure; SameSite=None",
             "X-Api-Key": "{{anthropic#2}}"}
            """,
            ["set-cookie", "x-api-key"],
            ["req_011CUnq9xQ3zY8p4vW2r7TsK", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "398000"]),

        new("anthropic-response-tool-use", Steps, Response, """
            {"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
             "content": [{"type": "thinking", "thinking": "The user wants the repo's open issues; I can call the GitHub API with the token from the environment.",
                          "signature": "ErUBCkYIBxgCIkB0pLzK9mV3nQ8wR2tY5uI1oP4aS7dF0gH3jK6lZ9xC2vB5nM8qW1eR4tY7uI0oP3aS6dF9gH2jK5lZ8xC1vB4nM7qW0eR3tYEgzSGnLdKf8vQ2mPx7RkaDGq1wErTyUiOpAsDfGhJkLzXcVbNm=="},
                         {"type": "text", "text": "Let me list the open issues."},
                         {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "bash",
                          "input": {"command": "curl -s -H 'Authorization: Bearer {{ghp}}' -H 'Accept: application/vnd.github+json' https://api.github.com/repos/acme/orders/issues?state=open"}}],
             "stop_reason": "tool_use", "stop_sequence": null,
             "usage": {"input_tokens": 2095, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1800, "output_tokens": 503, "service_tier": "standard"}}
            """,
            ["authorization"],
            ["msg_01XFDUDYJgAACzvnptvVoYEL", "toolu_01A09q90qw90lq917835lq9", "ErUBCkYIBxgCIkB0pLzK9mV3nQ8wR2tY5uI1oP4aS7dF0gH3jK6lZ9xC2vB5nM8qW1eR4tY7uI0oP3aS6dF9gH2jK5lZ8xC1vB4nM7qW0eR3tYEgzSGnLdKf8vQ2mPx7RkaDGq1wErTyUiOpAsDfGhJkLzXcVbNm==",
             "-H 'Accept: application/vnd.github+json' https://api.github.com/repos/acme/orders/issues?state=open", "curl -s -H 'Authorization: "]),

        new("anthropic-authentication-error", Invocations, Response, """
            {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}, "request_id": "req_011CUnr2bH8kFj3Lq9WzXy5T"}
            """,
            [],
            ["invalid x-api-key", "req_011CUnr2bH8kFj3Lq9WzXy5T"]),

        new("gemini-request-inline-image", Invocations, Request, """
            {"contents": [{"role": "user", "parts": [{"text": "Describe the chart in this screenshot."}, {"inlineData": {"mimeType": "image/png", "data": "@IMAGE@"}}]}],
             "generationConfig": {"temperature": 0.4, "topP": 0.95, "topK": 40, "maxOutputTokens": 2048, "responseMimeType": "text/plain", "thinkingConfig": {"thinkingBudget": 1024}},
             "safetySettings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_ONLY_HIGH"}]}
            """,
            [],
            ["@IMAGE@"]),

        new("gemini-response-body", Steps, Response, """
            {"candidates": [{"content": {"parts": [{"text": "The chart shows weekly CSV exports rising 12%.",
                                                     "thoughtSignature": "CiQB0e2Kb3xQ7vR9sT1uW4yZ6aC8eG0iK2mO4qS6uW8yA0cE2gIKdQHR7V3ZqgP2nT5vX8zB1dF4hJ7lN0pR3tV6xZ9bD2fH5jL8nP1rT4vX7zB0dF3hJ6lN9pR2tV5xZ8bD1fH4jL7nP0rT3vX6zB9dF2hJ5lN8pR1tV4xZ7bD0fH3jL6n"}], "role": "model"},
                             "finishReason": "STOP", "index": 0, "safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"}],
                             "citationMetadata": {"citationSources": [{"startIndex": 12, "endIndex": 80, "uri": "https://cloud.google.com/vertex-ai/docs/reference/rest"}]}}],
             "usageMetadata": {"promptTokenCount": 1290, "candidatesTokenCount": 18, "totalTokenCount": 1408, "thoughtsTokenCount": 100,
                               "promptTokensDetails": [{"modality": "IMAGE", "tokenCount": 1032}, {"modality": "TEXT", "tokenCount": 258}]},
             "modelVersion": "gemini-2.5-flash", "responseId": "kT8JafSnLs2Jz7IPmLqR8Qc", "createTime": "2025-11-04T10:12:35.123456Z"}
            """,
            [],
            ["kT8JafSnLs2Jz7IPmLqR8Qc", "CiQB0e2Kb3xQ7vR9sT1uW4yZ6aC8eG0iK2mO4qS6uW8yA0cE2gIKdQHR7V3ZqgP2nT5vX8zB1dF4hJ7lN0pR3tV6xZ9bD2fH5jL8nP1rT4vX7zB0dF3hJ6lN9pR2tV5xZ8bD1fH4jL7nP0rT3vX6zB9dF2hJ5lN8pR1tV4xZ7bD0fH3jL6n"]),

        new("gemini-metadata-url-key", Steps, Metadata, """
            {"google": {"groundingMetadata": {"webSearchQueries": ["csv export best practices"],
                                              "groundingChunks": [{"web": {"uri": "https://vertexaisearch.cloud.google.com/grounding-api-redirect/AUZIYQHx7b9vK2mQ", "title": "example.com"}}]},
                        "urlContextMetadata": null, "safetyRatings": null, "usageMetadata": {"cachedContentTokenCount": 0}},
             "transport": {"url": "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key={{google}}", "retries": 0}}
            """,
            ["key"],
            ["https://vertexaisearch.cloud.google.com/grounding-api-redirect/AUZIYQHx7b9vK2mQ", "gemini-2.5-pro:streamGenerateContent?alt=sse&key="]),

        new("gemini-invalid-key-error", Invocations, Response, """
            {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
                       "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                                    "metadata": {"service": "generativelanguage.googleapis.com"}},
                                   {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": "API key not valid. Please pass a valid API key."}]}}
            """,
            [],
            ["API key not valid. Please pass a valid API key.", "API_KEY_INVALID"]),

        new("gemini-headers-goog-api-key", Invocations, Headers, """
            {"content-type": "application/json; charset=UTF-8", "vary": "Origin, X-Origin, Referer", "server": "scaffolding on HTTPServer2",
             "server-timing": "gfet4t7; dur=2113", "x-goog-api-key": "{{google}}", "x-xss-protection": "0", "x-frame-options": "SAMEORIGIN",
             "x-goog-request-params": "model=models/gemini-2.5-pro"}
            """,
            ["x-goog-api-key"],
            ["gfet4t7; dur=2113", "model=models/gemini-2.5-pro"]),

        new("vertex-service-account", Invocations, Request, """
            {"model": "gemini-2.5-pro",
             "providerOptions": {"vertex": {"project": "acme-ai-prod", "location": "europe-west4",
               "googleAuthOptions": {"credentials": {"type": "service_account", "project_id": "acme-ai-prod",
                 "private_key_id": "3f9c2a7b1e0d4c6a8b5f2e1d0c9b8a7f6e5d4c3b", "private_key": "{{pem}}",
                 "client_email": "pipeline@acme-ai-prod.iam.gserviceaccount.com", "client_id": "104857392016473829104",
                 "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token", "universe_domain": "googleapis.com"}}}},
             "contents": [{"role": "user", "parts": [{"text": "Summarise the diff."}]}]}
            """,
            ["private-key"],
            ["3f9c2a7b1e0d4c6a8b5f2e1d0c9b8a7f6e5d4c3b", "pipeline@acme-ai-prod.iam.gserviceaccount.com", "104857392016473829104", "https://oauth2.googleapis.com/token"]),

        new("vertex-oauth-bearer", Steps, Metadata, """
            {"vertex": {"request": {"url": "https://europe-west4-aiplatform.googleapis.com/v1/projects/acme-ai-prod/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent",
                                    "headers": {"authorization": "Bearer {{ya29}}", "x-goog-user-project": "acme-ai-prod", "x-goog-api-client": "gl-node/22.11.0 gccl/1.9.0"}},
                        "error": {"code": 401, "status": "UNAUTHENTICATED",
                                  "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."}}}
            """,
            ["authorization"],
            ["gl-node/22.11.0 gccl/1.9.0", "Expected OAuth 2 access token, login cookie or other valid authentication credential."]),

        new("azure-metadata-api-key", Invocations, Metadata, """
            {"azure": {"deployment": "gpt-4o-orders", "apiVersion": "2024-10-21",
                       "requestHeaders": {"api-key": "{{hex32}}", "Content-Type": "application/json", "x-ms-client-request-id": "5b0c9a1e-3f2d-4c8b-a7e6-1d2c3b4a5f60"},
                       "promptFilterResults": [{"prompt_index": 0, "content_filter_results": {"hate": {"filtered": false, "severity": "safe"}, "jailbreak": {"filtered": false, "detected": false}}}]}}
            """,
            ["api-key"],
            ["5b0c9a1e-3f2d-4c8b-a7e6-1d2c3b4a5f60", "gpt-4o-orders"]),

        new("azure-response-headers", Steps, Headers, """
            {"apim-request-id": "8e2f7c1a-9b3d-4e5f-a6b7-c8d9e0f1a2b3", "azureml-model-session": "d2024110401-7a8b9c0d1e2f", "x-ms-region": "Sweden Central",
             "x-ms-rai-invoked": "true", "x-ms-deployment-name": "gpt-4o-orders", "x-ratelimit-remaining-requests": "1499", "x-ratelimit-remaining-tokens": "149000",
             "x-request-id": "0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", "Ocp-Apim-Subscription-Key": "{{hex32}}",
             "strict-transport-security": "max-age=31536000; includeSubDomains; preload"}
            """,
            ["ocp-apim-subscription-key"],
            ["8e2f7c1a-9b3d-4e5f-a6b7-c8d9e0f1a2b3", "d2024110401-7a8b9c0d1e2f", "149000"]),

        new("azure-error-and-sas-url", Invocations, Response, """
            {"error": {"code": "401", "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."},
             "output_files": [{"url": "https://acmeaiprod.blob.core.windows.net/outputs/run-42/chart.png?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-11-05T10:00:00Z&st=2025-11-04T10:00:00Z&spr=https&sig={{sas}}", "media_type": "image/png"}]}
            """,
            ["sig"],
            ["Access denied due to invalid subscription key or wrong API endpoint.", "chart.png?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-11-05T10:00:00Z&st=2025-11-04T10:00:00Z&spr=https&sig="]),

        new("bedrock-sigv4-request", Steps, Request, """
            {"method": "POST", "url": "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse",
             "headers": {"Authorization": "AWS4-HMAC-SHA256 Credential={{akia}}/20251104/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature={{hex64}}",
                         "X-Amz-Date": "20251104T101233Z", "X-Amz-Security-Token": "{{aws-session}}",
                         "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "content-type": "application/json"},
             "body": {"messages": [{"role": "user", "content": [{"text": "Plan the migration."}]}], "inferenceConfig": {"maxTokens": 4096, "temperature": 0.3},
                      "system": [{"text": "You are the approaches agent."}]}}
            """,
            ["authorization", "x-amz-security-token"],
            ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "20251104T101233Z", "anthropic.claude-sonnet-4-5-20250929-v1%3A0"]),

        new("bedrock-response-headers", Steps, Headers, """
            {"x-amzn-requestid": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "x-amzn-bedrock-invocation-latency": "2381",
             "x-amzn-bedrock-output-token-count": "250", "x-amzn-bedrock-input-token-count": "1200",
             "content-type": "application/json", "date": "Tue, 04 Nov 2025 10:12:36 GMT"}
            """,
            [],
            ["7c9e6679-7425-40de-944b-e07fc1f90ae7", "250", "1200"]),

        new("bedrock-metadata-sts-credentials", Invocations, Metadata, """
            {"bedrock": {"usage": {"inputTokens": 1200, "outputTokens": 250, "totalTokens": 1450}, "metrics": {"latencyMs": 2381},
                         "trace": {"guardrail": {"actionReason": "No action."}},
                         "credentials": {"AccessKeyId": "{{asia}}", "SecretAccessKey": "{{aws-secret}}", "SessionToken": "{{aws-session}}", "Expiration": "2025-11-04T11:12:33Z"}}}
            """,
            ["aws-access-key-id", "secret-access-key", "session-token"],
            ["2025-11-04T11:12:33Z", "No action."]),

        new("mistral-headers-as-arrays", Steps, Headers, """
            {"content-type": ["application/json"], "mistral-correlation-id": ["019a4f2e-8b1c-7d3e-9f5a-6b7c8d9e0f1a"], "x-kong-request-id": ["4b2f8e1c7a9d3b5e"],
             "x-kong-upstream-latency": ["912"], "ratelimitbysize-remaining": ["499000"],
             "set-cookie": ["__cf_bm={{cookie#1}}; path=/; HttpOnly; Secure", "_cfuvid={{session#2}}; path=/; HttpOnly; Secure"], "cookie": []}
            """,
            ["set-cookie"],
            ["019a4f2e-8b1c-7d3e-9f5a-6b7c8d9e0f1a", "4b2f8e1c7a9d3b5e"]),

        new("mistral-unauthorized-echo", Invocations, Response, """
            {"object": "error", "message": "Unauthorized", "type": "invalid_request_error", "param": null, "code": null,
             "request": {"method": "POST", "url": "https://api.mistral.ai/v1/chat/completions",
                         "headers": {"Authorization": "Bearer {{mistral}}", "User-Agent": "ai-sdk/mistral/2.0.19"}}}
            """,
            ["authorization"],
            ["ai-sdk/mistral/2.0.19", "https://api.mistral.ai/v1/chat/completions"]),

        new("groq-client-api-key-field", Steps, Request, """
            {"model": "llama-3.3-70b-versatile", "messages": [{"role": "user", "content": "Classify this failure."}], "temperature": 0, "max_completion_tokens": 1024,
             "response_format": {"type": "json_object"},
             "client": {"api_key": "{{gsk}}", "base_url": "https://api.groq.com/openai/v1", "max_retries": 2, "timeout": 600}}
            """,
            ["api-key"],
            ["https://api.groq.com/openai/v1"]),

        new("groq-response-precise-numbers", Steps, Response, """
            {"id": "chatcmpl-8f2e1c7a-9b3d-4e5f-a6b7-c8d9e0f1a2b3", "object": "chat.completion", "created": 1762251160, "model": "llama-3.3-70b-versatile",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": "{\"category\":\"flaky-test\",\"confidence\":0.92}"}, "logprobs": null, "finish_reason": "stop"}],
             "usage": {"queue_time": 0.018237491000000001, "prompt_tokens": 61, "prompt_time": 0.003152981, "completion_tokens": 14,
                       "completion_time": 0.0254545450000000000001, "total_tokens": 75, "total_time": 0.028607526},
             "usage_breakdown": null, "system_fingerprint": "fp_3f3b593e33", "x_groq": {"id": "req_01k97x6v3ef8b9s4m2a1c0d5e7"}, "service_tier": "on_demand"}
            """,
            [],
            ["chatcmpl-8f2e1c7a-9b3d-4e5f-a6b7-c8d9e0f1a2b3", "req_01k97x6v3ef8b9s4m2a1c0d5e7", "0.0254545450000000000001"]),

        new("openrouter-request-pasted-key", Invocations, Request, """
            {"model": "anthropic/claude-sonnet-4.5", "models": ["anthropic/claude-sonnet-4.5", "openai/gpt-4.1"],
             "provider": {"order": ["Anthropic", "Amazon Bedrock"], "allow_fallbacks": true, "data_collection": "deny"},
             "messages": [{"role": "user", "content": "My OpenRouter key {{openrouter}} stopped working after I rotated it, can you check the config loader?"}],
             "usage": {"include": true}, "transforms": ["middle-out"]}
            """,
            ["openrouter-key"],
            ["anthropic/claude-sonnet-4.5", "stopped working after I rotated it, can you check the config loader?"]),

        new("openrouter-metadata-nested-attempts", Steps, Metadata, """
            {"openrouter": {"provider": "Anthropic", "generationId": "gen-1762251170-AbCdEfGhIjKlMnOpQrSt",
                            "usage": {"promptTokens": 1530, "promptTokensDetails": {"cachedTokens": 1024}, "completionTokens": 220, "completionTokensDetails": {"reasoningTokens": 0},
                                      "cost": 0.0080295000000000001, "totalTokens": 1750, "upstreamInferenceCost": 0.00729}},
             "gateway": {"upstream": {"attempts": [{"provider": "Amazon Bedrock", "status": 429,
                                                    "request": {"headers": {"X-Api-Key": "{{openrouter#2}}", "HTTP-Referer": "https://agentpipe.dev", "X-Title": "agentpipe"}}},
                                                   {"provider": "Anthropic", "status": 200}]}}}
            """,
            ["x-api-key"],
            ["gen-1762251170-AbCdEfGhIjKlMnOpQrSt", "0.0080295000000000001", "https://agentpipe.dev"]),

        new("anthropic-provider-metadata", Steps, Metadata, """
            {"anthropic": {"cacheCreationInputTokens": 2048, "stopSequence": null, "container": null,
                           "usage": {"input_tokens": 12, "cache_creation_input_tokens": 2048, "cache_read_input_tokens": 0,
                                     "cache_creation": {"ephemeral_5m_input_tokens": 2048, "ephemeral_1h_input_tokens": 0},
                                     "output_tokens": 311, "service_tier": "standard", "server_tool_use": {"web_search_requests": 1}}},
             "gateway": {"routing": "claude-sonnet-4-5@anthropic", "attempts": 1, "keyAlias": "team-implementation", "tokenBucket": "tb_4f1c"}}
            """,
            [],
            ["claude-sonnet-4-5@anthropic", "team-implementation", "tb_4f1c"]),

        new("cohere-connector-oauth", Invocations, Request, """
            {"model": "command-a-03-2025", "messages": [{"role": "user", "content": "Find the ticket about CSV exports."}],
             "documents": [{"id": "doc_1", "data": {"title": "CSV export", "snippet": "Orders page export"}}],
             "connectors": [{"id": "jira-acme", "options": {"search_limit": 5}}],
             "connector_definition": {"name": "jira-acme", "url": "https://connectors.acme.dev/jira/search",
               "oauth": {"client_id": "7d1e4f2a-9c3b-4a5e-8f6d-2b1c0a9e8d7f", "client_secret": "{{opaque}}", "authorize_url": "https://acme.atlassian.net/oauth/authorize",
                         "token_url": "https://auth.atlassian.com/oauth/token", "scope": "read:jira-work"},
               "service_auth": {"type": "bearer", "token": "{{cohere}}"}}}
            """,
            ["client-secret", "token"],
            ["7d1e4f2a-9c3b-4a5e-8f6d-2b1c0a9e8d7f", "https://auth.atlassian.com/oauth/token", "read:jira-work", "bearer"]),

        new("cohere-chat-response", Steps, Response, """
            {"id": "5a8f2c1e-7b3d-4e9f-a1b2-c3d4e5f6a7b8", "finish_reason": "COMPLETE",
             "message": {"role": "assistant", "content": [{"type": "text", "text": "Ticket ORD-1432 covers the CSV export."}],
                         "citations": [{"start": 7, "end": 15, "text": "ORD-1432", "sources": [{"type": "document", "id": "doc_1", "document": {"id": "doc_1", "title": "CSV export"}}]}]},
             "usage": {"billed_units": {"input_tokens": 682, "output_tokens": 14}, "tokens": {"input_tokens": 1421, "output_tokens": 57}},
             "meta": {"api_version": {"version": "2"}, "warnings": []}}
            """,
            [],
            ["5a8f2c1e-7b3d-4e9f-a1b2-c3d4e5f6a7b8", "Ticket ORD-1432 covers the CSV export."]),

        new("proxy-cookies-and-basic-auth", Invocations, Headers, """
            {"Set-Cookie": ["session={{jwt}}; Path=/; HttpOnly; Secure; SameSite=Lax",
                            "AWSALB={{session#2}}; Expires=Tue, 11 Nov 2025 10:12:33 GMT; Path=/",
                            "AWSALBCORS={{session#2}}; Expires=Tue, 11 Nov 2025 10:12:33 GMT; Path=/; SameSite=None; Secure"],
             "Proxy-Authenticate": "Basic realm=\"corp-egress\"", "Proxy-Authorization": "Basic {{basic}}",
             "WWW-Authenticate": "Bearer realm=\"litellm\", error=\"invalid_token\"",
             "x-litellm-key-alias": "team-implementation", "x-litellm-model-api-base": "https://api.openai.com/v1", "x-litellm-response-cost": "0.00231",
             "helicone-id": "3c2b1a09-8f7e-4d6c-b5a4-9382716f5e4d", "x-litellm-call-id": "b7e1c9a2-4d3f-4e8a-9c1b-2f5d6e7a8b9c"}
            """,
            ["set-cookie", "proxy-authorization"],
            ["Basic realm=\"corp-egress\"", "Bearer realm=\"litellm\", error=\"invalid_token\"", "team-implementation", "3c2b1a09-8f7e-4d6c-b5a4-9382716f5e4d"]),

        new("headers-as-name-value-pairs", Steps, Headers, """
            [["content-type", "application/json"], ["authorization", "Bearer {{openai}}"], ["cookie", "sid={{session}}; theme=dark"],
             ["x-request-id", "req_7c1e9a2b4d"], ["X-Api-Key", "{{cohere}}"]]
            """,
            ["authorization", "cookie", "x-api-key"],
            ["req_7c1e9a2b4d", "application/json"]),

        new("har-log-header-entries", Invocations, Request, """
            {"log": {"version": "1.2", "entries": [{
               "request": {"method": "POST", "url": "https://api.anthropic.com/v1/messages",
                           "headers": [{"name": "x-api-key", "value": "{{anthropic}}"}, {"name": "anthropic-version", "value": "2023-06-01"}, {"name": "Cookie", "value": "cf_clearance={{session}}"}],
                           "queryString": [], "postData": {"mimeType": "application/json", "text": "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":256}"}},
               "response": {"status": 401, "headers": [{"name": "request-id", "value": "req_011CUnsKq2Jp7Rb4Tw9Xz3Vc"}], "content": {"size": 130, "mimeType": "application/json"}},
               "timings": {"send": 0.112, "wait": 412.387, "receive": 1.9}}]}}
            """,
            ["x-api-key", "cookie"],
            ["2023-06-01", "req_011CUnsKq2Jp7Rb4Tw9Xz3Vc", "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":256}"]),

        new("secrets-in-error-messages-and-logs", Steps, Response, """
            {"error": {"message": "Upstream 401 from POST https://svc-proxy:{{password}}@egress.internal:3128/v1/chat/completions; request had header Authorization: Bearer {{opaque}}",
                       "type": "upstream_error", "upstream": "openai"},
             "logs": ["retrying with token {{jwt}}", "slack notify failed: invalid_auth for {{slack}}", "x-api-key={{xai}} rejected",
                      "AWS_SECRET_ACCESS_KEY={{aws-secret}} AWS_ACCESS_KEY_ID={{akia}}"]}
            """,
            ["url-password", "authorization", "jwt", "slack-token", "x-api-key", "aws-secret-access-key", "aws-access-key-id"],
            ["Upstream 401 from POST https://svc-proxy:", "@egress.internal:3128/v1/chat/completions; request had header Authorization: ", "retrying with token ",
             "slack notify failed: invalid_auth for ", " rejected"]),

        new("tool-output-git-remotes-and-env", Invocations, Request, """
            {"messages": [{"role": "tool", "tool_call_id": "call_9bX2mQ7kT4vR1pL8",
                           "content": "origin\thttps://x-access-token:{{ghs}}@github.com/acme/orders.git (fetch)\norigin\thttps://x-access-token:{{ghs}}@github.com/acme/orders.git (push)"},
                          {"role": "tool", "tool_call_id": "call_3nW8rT5yU2iO9pA6", "content": "export HF_TOKEN={{hf}}\nexport GITHUB_PAT={{github-pat}}\nexport NODE_ENV=production"}]}
            """,
            ["url-password", "hf_token", "github-token"],
            ["@github.com/acme/orders.git (fetch)", "export NODE_ENV=production", "call_9bX2mQ7kT4vR1pL8"]),

        new("escaped-json-inside-strings", Steps, Response, """
            {"error": {"message": "Bad request body: {\"api_key\": \"{{mistral}}\", \"model\": \"mistral-large-latest\"}",
                       "raw": "{\\\"authorization\\\":\\\"Bearer {{opaque#2}}\\\"}"}}
            """,
            ["api-key", "authorization"],
            ["\"model\": \"mistral-large-latest\""]),

        new("otel-trace-metadata", Invocations, Metadata, """
            {"trace": {"spans": [{"name": "gateway", "children": [{"name": "auth", "attributes": {
               "http.request.header.authorization": ["Bearer {{opaque}}"], "http.request.header.x-api-key": ["{{cohere}}"],
               "http.response.status_code": 200, "http.request.header.user-agent": ["ai-sdk/5.0.0 runtime/node.js/22"]}}]}]}}
            """,
            ["bearer-token", "http.request.header.x-api-key"],
            ["ai-sdk/5.0.0 runtime/node.js/22"]),

        new("look-alikes-that-are-not-secrets", Steps, Response, """
            {"ids": ["resp_01", "msg_01XFDUDYJgAACzvnptvVoYEL", "chatcmpl-AZ0123456789abcdefGHIJ", "toolu_01A09q90qw90lq917835lq9", "call_abc123DEF456ghi789",
                     "rs_68b1f0c3a1b2c3d4e5f6a7b8c9d0e1f2", "gen-1762251170-AbCdEfGhIjKlMnOpQrSt", "req_011CUnq9xQ3zY8p4vW2r7TsK", "0199f0a2-7c1e-7b3d-9a4f-2c8e1d6b5a40", "fp_b3f1157249"],
             "hashes": {"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "git": "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "etag": "W/\"5f1c2a9be3d04e7f\""},
             "prose": ["Use scikit-learn (sk-learn-tutorial-2024-edition) for the baseline.", "The bearer of this message is trusted.",
                       "Basic authentication is disabled on this endpoint.", "Rotate the API key every 90 days; passwords must have 12 characters.",
                       "AKIA is the prefix of long-term AWS access key ids.", "Set Authorization to your token.", "password: ********",
                       "api_key=YOUR_API_KEY", "Bearer YOUR_API_KEY", "token: <paste here>", "risk-assessment-2024-q4-final-report", "task-1234567890abcdefABCDEF",
                       "if (token == expected) return;", "const password = await prompt();", "key=value pairs are fine", "see ?page=2&sort=asc"],
             "data_url": "data:image/png;base64,@IMAGE@",
             "tokens": [{"token": "sk", "logprob": -0.5}, {"token": "-proj", "logprob": -0.7}, {"token": "Authorization", "logprob": -0.01}],
             "emoji": "Résumé ✓ — naïve café 😀",
             "numbers": [0.1, 1e400, -0, 123456789012345678901234567890, 1.0000000000000000000001]}
            """,
            [],
            ["sk-learn-tutorial-2024-edition", "The bearer of this message is trusted.", "Basic authentication is disabled on this endpoint.",
             "password: ********", "api_key=YOUR_API_KEY", "Bearer YOUR_API_KEY", "token: <paste here>", "task-1234567890abcdefABCDEF",
             "const password = await prompt();", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "Résumé ✓ — naïve café 😀", "@IMAGE@"]),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var sample in Samples)
        {
            data.Add(sample.Name);
        }
        return data;
    }

    public static CorpusSample Get(string name) => Samples.Single(s => s.Name == name);

    /// <summary>The sample's JSON with its fake secrets planted and the image inlined, and the secrets.</summary>
    public static (string Json, IReadOnlyList<PlantedSecret> Secrets) Materialize(CorpusSample sample)
    {
        var (json, secrets) = FakeSecrets.Materialize(sample.Name, sample.Template);
        return (json.Replace("@IMAGE@", ImageBase64, StringComparison.Ordinal), secrets);
    }

    public static IEnumerable<string> Keep(CorpusSample sample) =>
        sample.Keep.Select(k => k.Replace("@IMAGE@", ImageBase64, StringComparison.Ordinal));

    private static string MakeImage()
    {
        var random = new Random(20251104);
        var bytes = new byte[3000];
        random.NextBytes(bytes);
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        signature.CopyTo(bytes, 0);
        var base64 = Convert.ToBase64String(bytes);
        // Key look-alikes inside the base64 run, on 4-character boundaries so the data stays valid base64.
        string[] lookAlikes = ["AK" + "IA" + "QWERTYUIOPASDFGH", "AI" + "za" + "SyB1c2D3e4F5g6H7i8J9k0LmNoPqRsTuVwXy", "ey" + "JhbGciOiJIUzI1NiJ9", "ghp" + "0" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"];
        var position = 400;
        foreach (var lookAlike in lookAlikes)
        {
            var padded = lookAlike.PadRight((lookAlike.Length + 3) / 4 * 4, 'Q');
            base64 = base64[..position] + padded + base64[(position + padded.Length)..];
            position += 800;
        }
        return base64;
    }
}

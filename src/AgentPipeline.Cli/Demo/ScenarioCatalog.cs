namespace AgentPipeline.Cli.Demo;

/// <summary>The feature requests the demo picks from.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new(
            "Add per-tenant rate limiting to the public REST API, with limits configurable per plan and a 429 response that carries Retry-After.",
            "https://github.com/acme-demo/storefront-api", "rate-limiting", "node24", "rateLimit",
            ["src/middleware/rate-limit.ts", "src/config/plans.ts", "src/server.ts", "test/rate-limit.test.ts"],
            [
                ("Token bucket in Redis", "one bucket per tenant key, refilled lazily with a Lua script"),
                ("Sliding window in Postgres", "count requests per tenant in a partitioned table"),
                ("In-process fixed window", "a per-instance counter map, good enough behind sticky sessions"),
            ],
            "Limits must be read from the plan at request time; plans change without a deploy.",
            "pnpm vitest run test/rate-limit.test.ts"),
        new(
            "Let users export their invoices as CSV from the billing page, filtered by date range.",
            "https://github.com/acme-demo/billing-portal", "invoice-csv-export", "node24", "listInvoices",
            ["app/api/invoices/export/route.ts", "lib/invoices.ts", "app/billing/page.tsx", "tests/invoices-export.test.ts"],
            [
                ("Streamed route handler", "stream rows from the database straight into a CSV response"),
                ("Background export job", "queue a job, email a signed download link when done"),
                ("Client-side export", "fetch JSON pages and build the CSV in the browser"),
            ],
            "Invoices can number in the tens of thousands per account; the export must not buffer them all.",
            "pnpm jest tests/invoices-export.test.ts"),
        new(
            "Add a dark mode that follows the system setting and can be overridden in user preferences.",
            "https://github.com/acme-demo/dashboard-web", "dark-mode", "node22", "ThemeProvider",
            ["src/theme/ThemeProvider.tsx", "src/theme/tokens.css", "src/settings/Preferences.tsx", "src/theme/ThemeProvider.test.tsx"],
            [
                ("CSS variables with a data attribute", "swap token values under [data-theme=dark]"),
                ("Tailwind dark variant", "class strategy on <html>, toggled from the provider"),
                ("Two compiled stylesheets", "load light.css or dark.css and swap at runtime"),
            ],
            "The theme must be applied before first paint to avoid a flash of the wrong colours.",
            "pnpm vitest run src/theme"),
        new(
            "Retry failed webhook deliveries with exponential backoff and move them to a dead-letter queue after 8 attempts.",
            "https://github.com/acme-demo/webhooks-service", "webhook-retries", "node24", "deliverWebhook",
            ["src/delivery/deliver.ts", "src/queue/jobs.ts", "src/delivery/dead-letter.ts", "test/delivery.test.ts"],
            [
                ("Delayed jobs in the existing queue", "re-enqueue with a computed delay and an attempt counter"),
                ("Scheduler table", "store next_attempt_at and poll due deliveries every few seconds"),
                ("Provider-side retries", "lean on the queue provider's built-in retry policy"),
            ],
            "Deliveries must stay idempotent: receivers dedupe on the webhook-id header.",
            "pnpm vitest run test/delivery.test.ts"),
        new(
            "Add full-text search over project notes, with highlighted matches in the results list.",
            "https://github.com/acme-demo/notes-app", "notes-search", "python3.13", "search_notes",
            ["notes/search.py", "notes/models.py", "notes/templates/results.html", "tests/test_search.py"],
            [
                ("Postgres tsvector column", "a generated tsvector with a GIN index and ts_headline"),
                ("SQLite FTS5 mirror", "an FTS5 table kept in sync by triggers"),
                ("External search service", "index notes into a hosted search engine"),
            ],
            "Notes are private per workspace; search must never cross workspace boundaries.",
            "pytest tests/test_search.py -q"),
    ];
}

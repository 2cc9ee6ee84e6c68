using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>A planted secret: the whole value, and the generated part no other text can contain by chance.</summary>
internal sealed record PlantedSecret(string Placeholder, string Value, string RandomPart);

/// <summary>
/// Makes realistic but fake credentials for the corpus, deterministically per (sample, placeholder), so that no
/// credential-shaped literal lives in the source and every run plants the same values.
/// A template names them <c>{{type}}</c> or <c>{{type#n}}</c>; the same placeholder gets the same value.
/// </summary>
internal static partial class FakeSecrets
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string Digits = "0123456789";
    private const string Alnum = Upper + Lower + Digits;
    private const string Base64Url = Alnum + "-_";
    private const string Base64 = Alnum + "+/";
    private const string Hex = "0123456789abcdef";

    [GeneratedRegex(@"\{\{([a-z0-9\-]+)(#[0-9]+)?\}\}")]
    private static partial Regex PlaceholderRegex();

    /// <summary>The template with every placeholder replaced (JSON-escaped) and the secrets it planted.</summary>
    public static (string Json, IReadOnlyList<PlantedSecret> Secrets) Materialize(string sampleName, string template)
    {
        var planted = new Dictionary<string, PlantedSecret>(StringComparer.Ordinal);
        var json = PlaceholderRegex().Replace(template, m =>
        {
            if (!planted.TryGetValue(m.Value, out var secret))
            {
                var random = new Random(StableHash(sampleName + "|" + m.Value));
                var (value, randomPart) = Make(m.Groups[1].Value, random);
                secret = new PlantedSecret(m.Value, value, randomPart);
                planted.Add(m.Value, secret);
            }
            var encoded = JsonEncodedText.Encode(secret.Value, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
            return encoded;
        });
        return (json, [.. planted.Values]);
    }

    private static (string Value, string RandomPart) Make(string type, Random r)
    {
        switch (type)
        {
            case "openai": { var t = Mixed(r, 48, Alnum); return ("sk-" + t, t); }
            case "openai-proj": { var t = Mixed(r, 40, Alnum) + "-" + Mixed(r, 30, Base64Url) + "_" + Mixed(r, 50, Alnum); return ("sk-proj-" + t, t); }
            case "openai-admin": { var t = Mixed(r, 64, Base64Url); return ("sk-admin-" + t, t); }
            case "deepseek": { var t = Mixed(r, 32, Hex); return ("sk-" + t, t); }
            case "anthropic": { var t = Mixed(r, 86, Base64Url); return ("sk-ant-api03-" + t + "AA", t); }
            case "openrouter": { var t = Mixed(r, 64, Hex); return ("sk-or-v1-" + t, t); }
            case "google": { var t = Mixed(r, 35, Base64Url); return ("AIza" + t, t); }
            case "ya29": { var t = Mixed(r, 160, Base64Url); return ("ya29.a0" + t, t); }
            case "akia": { var t = Mixed(r, 16, Upper + Digits); return ("AKIA" + t, t); }
            case "asia": { var t = Mixed(r, 16, Upper + Digits); return ("ASIA" + t, t); }
            case "aws-secret": { var t = Mixed(r, 40, Base64); return (t, t); }
            case "aws-session": { var t = Mixed(r, 320, Base64); return ("IQoJb3JpZ2luX2VjE" + t + "==", t); }
            case "hex64": { var t = Mixed(r, 64, Hex); return (t, t); }
            case "hex32": { var t = Mixed(r, 32, Hex); return (t, t); }
            case "ghp": { var t = Mixed(r, 36, Alnum); return ("ghp_" + t, t); }
            case "ghs": { var t = Mixed(r, 36, Alnum); return ("ghs_" + t, t); }
            case "github-pat": { var t = Mixed(r, 22, Alnum) + "_" + Mixed(r, 59, Alnum); return ("github_pat_" + t, t); }
            case "slack": { var t = Mixed(r, 24, Alnum); return ($"xoxb-{Digits12(r)}-{Digits12(r)}-{t}", t); }
            case "gsk": { var t = Mixed(r, 52, Alnum); return ("gsk_" + t, t); }
            case "xai": { var t = Mixed(r, 80, Alnum); return ("xai-" + t, t); }
            case "hf": { var t = Mixed(r, 34, Upper + Lower); return ("hf_" + t, t); }
            case "mistral": { var t = Mixed(r, 32, Alnum); return (t, t); }
            case "cohere": { var t = Mixed(r, 40, Alnum); return (t, t); }
            case "ephemeral": { var t = Mixed(r, 32, Hex); return ("ek_" + t, t); }
            case "opaque": { var t = Mixed(r, 43, Base64Url); return (t, t); }
            case "password": { var t = Mixed(r, 18, Alnum + "!*-.~"); return (t, t); }
            case "cookie": { var t = Mixed(r, 43, Base64Url) + "-" + Digits12(r) + "-1.0.1.1-" + Mixed(r, 60, Base64Url); return (t, t); }
            case "session": { var t = Mixed(r, 64, Base64Url); return (t, t); }
            case "basic":
            {
                var password = Mixed(r, 20, Alnum);
                var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("svc-proxy:" + password));
                return (encoded, encoded);
            }
            case "jwt":
            {
                static string B64Url(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                var subject = Mixed(r, 24, Alnum);
                var signature = Mixed(r, 43, Base64Url);
                var jwt = B64Url("""{"alg":"RS256","typ":"JWT","kid":"k1"}""") + "." +
                          B64Url($$"""{"sub":"{{subject}}","iss":"https://auth.example.com","exp":1767225600}""") + "." + signature;
                return (jwt, signature);
            }
            case "pem":
            {
                var body = new StringBuilder();
                for (var i = 0; i < 6; i++)
                {
                    body.Append(Mixed(r, 64, Base64)).Append('\n');
                }
                var b = body.ToString();
                return ("-----BEGIN PRIVATE KEY-----\n" + b + "-----END PRIVATE KEY-----\n", b.Trim());
            }
            case "sas":
            {
                var raw = Mixed(r, 43, Base64) + "=";
                var t = Uri.EscapeDataString(raw);
                return (t, t);
            }
            default:
                throw new ArgumentException($"Unknown fake secret type '{type}'.", nameof(type));
        }
    }

    // Random from the alphabet, then forced to mix digits and letters as generated credentials do.
    private static string Mixed(Random r, int length, string alphabet)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[r.Next(alphabet.Length)];
        }
        if (alphabet.Contains('0', StringComparison.Ordinal))
        {
            chars[r.Next(length)] = Digits[r.Next(10)];
        }
        if (alphabet.Contains('a', StringComparison.Ordinal))
        {
            chars[r.Next(length)] = Lower[r.Next(26)];
        }
        if (alphabet.Contains('A', StringComparison.Ordinal))
        {
            chars[r.Next(length)] = Upper[r.Next(26)];
        }
        return new string(chars);
    }

    private static string Digits12(Random r) => r.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    // FNV-1a: string.GetHashCode is randomised per process.
    private static int StableHash(string s)
    {
        var hash = 2166136261u;
        foreach (var c in s)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash & 0x7FFFFFFF);
    }
}

using System.CommandLine;
using System.Globalization;

namespace AgentPipeline.Cli.Commands;

/// <summary><c>--limit N</c>: at most N rows, N at least 1.</summary>
internal static class LimitOption
{
    public static Option<int> Create(int defaultValue, string what)
    {
        var option = new Option<int>("--limit")
        {
            Description = $"Show at most this many {what} (default {defaultValue.ToString(CultureInfo.InvariantCulture)}).",
            HelpName = "n",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            // Reads the token itself: the parser already reports one that is not a number.
            if (result.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n < 1)
            {
                result.AddError("--limit must be at least 1.");
            }
        });
        return option;
    }
}

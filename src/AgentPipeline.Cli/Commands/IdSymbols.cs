using System.CommandLine;
using AgentPipeline.Cli.Ids;

namespace AgentPipeline.Cli.Commands;

/// <summary>
/// Arguments and options that take a run or CTA id. A malformed id is a usage error found while
/// parsing, before the database is opened; which id it is is decided later, by <see cref="IdResolver"/>.
/// </summary>
internal static class IdSymbols
{
    private const string Forms = "its full id, its short id, or at least 4 hex digits from the start or end of either";

    public static Argument<string> Argument(string name, string what)
    {
        var argument = new Argument<string>(name) { Description = $"The {what}: {Forms}." };
        argument.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && IdResolver.Problem(token.Value, what) is { } problem)
            {
                result.AddError(problem);
            }
        });
        return argument;
    }

    public static Option<string?> Option(string name, string what, string description)
    {
        var option = new Option<string?>(name) { Description = $"{description} ({Forms}).", HelpName = what.ToLowerInvariant() };
        option.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && IdResolver.Problem(token.Value, what) is { } problem)
            {
                result.AddError(problem);
            }
        });
        return option;
    }
}
